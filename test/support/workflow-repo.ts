/**
 * A throwaway git repository for act to run workflows in: copies of chosen files of this
 * repository (or files written by the test), commits with fixed authors, and an `origin`
 * that is a bare repository in the same temp dir. `origin`'s URL is the GitHub one
 * (`https://github.com/<owner>/<name>.git`, which act turns into GITHUB_REPOSITORY) and
 * git rewrites it to the local bare repository (`url.<path>.insteadOf`), so a fetch or
 * `ls-remote` in a step works and never leaves the machine.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './action-runner.ts';

export interface WorkflowRepo {
  /** The work tree act runs in. */
  dir: string;
  /** `owner/name`, as act reports GITHUB_REPOSITORY. */
  fullName: string;
  /** Writes (string) or deletes (null) files, commits them and returns the commit. */
  commit(message: string, changes: Record<string, string | null>): string;
  /** Pushes the current branch to origin. */
  push(): void;
  git(args: string[]): string;
  /** A push event payload from `before` to the current head, as GitHub sends it. */
  pushPayload(before: string): Record<string, unknown>;
  remove(): void;
}

export interface WorkflowRepoOptions {
  /** `owner/name`; default `acme/greenlight`. */
  fullName?: string;
  /** Paths of this repository (files or folders) copied into the first commit. */
  copy?: string[];
  /** Files written into the first commit. */
  files?: Record<string, string>;
}

let commitClock = 1_767_225_600; // 2026-01-01T00:00:00Z: commits get increasing, fixed times

export function createWorkflowRepo(options: WorkflowRepoOptions = {}): WorkflowRepo {
  const fullName = options.fullName ?? 'acme/greenlight';
  const root = mkdtempSync(join(tmpdir(), 'greenlight-workflow-repo-'));
  const dir = join(root, 'work');
  const bare = join(root, 'origin.git');
  mkdirSync(dir);
  const git = (args: string[], cwd = dir) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: gitEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git(['init', '--quiet', '--bare', '--initial-branch=main', bare], root);
  git(['init', '--quiet', '--initial-branch=main']);
  const url = `https://github.com/${fullName}.git`;
  git(['config', `url.${bare}.insteadOf`, url]);
  git(['remote', 'add', 'origin', url]);
  for (const path of options.copy ?? []) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(join(REPO_ROOT, path), join(dir, path), { recursive: true });
  }
  for (const [path, text] of Object.entries(options.files ?? {})) writeFile(dir, path, text);

  const commit = (message: string, changes: Record<string, string | null>) => {
    for (const [path, text] of Object.entries(changes)) {
      if (text === null) rmSync(join(dir, path), { recursive: true, force: true });
      else writeFile(dir, path, text);
    }
    git(['add', '--all']);
    commitClock += 60;
    execFileSync('git', ['commit', '--quiet', '--allow-empty', '-m', message], {
      cwd: dir,
      env: {
        ...gitEnvironment(),
        GIT_AUTHOR_DATE: `@${commitClock} +0000`,
        GIT_COMMITTER_DATE: `@${commitClock} +0000`,
      },
    });
    return git(['rev-parse', 'HEAD']);
  };
  commit('initial', {});
  return {
    dir,
    fullName,
    commit,
    push: () => {
      git(['push', '--quiet', '--force', 'origin', 'HEAD']);
    },
    git: (args) => git(args),
    pushPayload: (before) =>
      pushPayload(fullName, git(['rev-parse', '--abbrev-ref', 'HEAD']), before, git(['rev-parse', 'HEAD'])),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function writeFile(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** git with a fixed identity and no user or system config (a person's settings do not apply). */
function gitEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Greenlight Test',
    GIT_AUTHOR_EMAIL: 'test@greenlight.invalid',
    GIT_COMMITTER_NAME: 'Greenlight Test',
    GIT_COMMITTER_EMAIL: 'test@greenlight.invalid',
  };
}

function pushPayload(
  fullName: string,
  branch: string,
  before: string,
  after: string,
): Record<string, unknown> {
  const [owner, name] = fullName.split('/');
  return {
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: /^0+$/.test(before),
    deleted: false,
    forced: false,
    repository: {
      name,
      full_name: fullName,
      owner: { login: owner, name: owner },
      default_branch: 'main',
      html_url: `https://github.com/${fullName}`,
    },
    head_commit: { id: after },
    pusher: { name: 'greenlight-test' },
  };
}
