/**
 * Secret leak checks (issue 16): a secret (the ECR password, a registry password, the
 * GitHub token) must never appear in a process's argv, nor in logs, summaries, PR
 * comments or outputs. Two helpers:
 *
 * - `findSecrets(texts, secrets)` scans captured text for each secret, raw and as a whole
 *   value base64-, base64url- or URL-encoded. A secret encoded inside a longer string is
 *   not found that way (an ECR token is base64 of `AWS:<password>`): pass each derived
 *   secret by its own name too (the token and the password).
 * - `watchProcessTree(pid, secrets)` samples `/proc/<pid>/cmdline` of the process and all
 *   its descendants every few milliseconds while it runs; `runScanningForSecrets` runs a
 *   command under it and also scans its stdout and stderr.
 *
 * Findings name the secret and where it was, never its value, so a failing test does not
 * print the secret into the log it is guarding. Sampling cannot see a process that lives
 * shorter than the interval (about 5 ms), nor one whose parent exited (it is re-parented
 * out of the tree); the report lists every process it saw, so a test can assert that the
 * processes it cares about (e.g. each kubectl or buildah call) were sampled.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type CommandRun, type CommandSpec, startGroup } from './process-group.ts';

/** name -> value, e.g. `{ 'ECR password': password }` */
export type Secrets = Readonly<Record<string, string>>;

export type SecretForm = 'raw' | 'base64' | 'base64url' | 'url-encoded';

export interface SecretFinding {
  /** the secret's name (never its value) */
  secret: string;
  form: SecretForm;
  /** which text or process: `stdout`, `argv of pid 123` */
  where: string;
  /** the surrounding text with every secret replaced by `***` */
  context: string;
}

/** Below this, a secret cannot be told apart from ordinary text (and act masks by substring too). */
const MIN_SECRET_LENGTH = 8;

/** The forms of a secret worth looking for, each distinct from the others. */
export function secretForms(value: string): { form: SecretForm; text: string }[] {
  const forms: { form: SecretForm; text: string }[] = [
    { form: 'raw', text: value },
    { form: 'base64', text: Buffer.from(value).toString('base64').replace(/=+$/, '') },
    { form: 'base64url', text: Buffer.from(value).toString('base64url') },
    { form: 'url-encoded', text: encodeURIComponent(value) },
  ];
  return forms.filter((form, i) => forms.findIndex((other) => other.text === form.text) === i);
}

function checkSecrets(secrets: Secrets): void {
  for (const [name, value] of Object.entries(secrets)) {
    if (value.length < MIN_SECRET_LENGTH) {
      throw new Error(
        `secret scan: ${name} is ${value.length} characters; use a test secret of at least ${MIN_SECRET_LENGTH}`,
      );
    }
  }
}

/** `text` with every form of every secret replaced by `***`. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const value of Object.values(secrets)) {
    for (const { text: form } of secretForms(value)) out = out.split(form).join('***');
  }
  return out;
}

/** Every occurrence of every secret, in any of its forms, in the named texts. */
export function findSecrets(
  texts: Readonly<Record<string, string | Buffer>>,
  secrets: Secrets,
): SecretFinding[] {
  checkSecrets(secrets);
  const findings: SecretFinding[] = [];
  for (const [where, content] of Object.entries(texts)) {
    const text = typeof content === 'string' ? content : content.toString('utf8');
    for (const [secret, value] of Object.entries(secrets)) {
      for (const { form, text: needle } of secretForms(value)) {
        let at = text.indexOf(needle);
        while (at >= 0) {
          const context = text.slice(Math.max(0, at - 40), at + needle.length + 40);
          findings.push({ secret, form, where, context: redact(context, secrets) });
          at = text.indexOf(needle, at + needle.length);
        }
      }
    }
  }
  return findings;
}

export interface ProcessSample {
  pid: number;
  ppid: number;
  /** argv from /proc/<pid>/cmdline, with every secret replaced by `***` */
  argv: string[];
}

export interface TreeScanReport {
  /** every distinct (pid, argv) seen, in the order first seen */
  processes: ProcessSample[];
  /** how many times the tree was sampled */
  samples: number;
  findings: SecretFinding[];
}

export interface TreeScan {
  /** stops sampling (after one last sample) and reports */
  stop(): Promise<TreeScanReport>;
}

/**
 * `rootPid` and its descendants now, each with its parent, from the kernel's per-thread
 * child lists (/proc/<pid>/task/<tid>/children): a walk of the tree alone, cheap enough
 * to repeat every few milliseconds. Read synchronously: a few small files, and async
 * reads through the thread pool were ten times slower. A process that exits meanwhile
 * is skipped.
 */
function treeNow(rootPid: number): Map<number, number> {
  const parents = new Map<number, number>();
  if (!existsSync(`/proc/${rootPid}`)) return parents;
  parents.set(rootPid, 0);
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of childrenOf(pid)) {
      if (parents.has(child)) continue;
      parents.set(child, pid);
      queue.push(child);
    }
  }
  return parents;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return []; // gone meanwhile
  }
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * Samples the argv of `rootPid` and every descendant every `intervalMs` (default 5) until
 * stop(), for at most `maxMs` (default 10 min). Linux only (/proc).
 */
export function watchProcessTree(
  rootPid: number,
  secrets: Secrets,
  options: { intervalMs?: number; maxMs?: number } = {},
): TreeScan {
  checkSecrets(secrets);
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + (options.maxMs ?? 600_000);
  const seen = new Map<string, ProcessSample>();
  const findings: SecretFinding[] = [];
  let samples = 0;
  let running = true;

  const sample = () => {
    samples += 1;
    for (const [pid, ppid] of treeNow(rootPid)) {
      const cmdline = cmdlineOf(pid);
      const key = `${pid}\0${cmdline}`;
      if (!cmdline || seen.has(key)) continue;
      const argv = cmdline.replace(/\0$/, '').split('\0');
      seen.set(key, { pid, ppid, argv: argv.map((arg) => redact(arg, secrets)) });
      findings.push(...findSecrets({ [`argv of pid ${pid}`]: argv.join(' ') }, secrets));
    }
  };

  const loop = (async () => {
    while (running && Date.now() < deadline) {
      sample();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      sample();
      return { processes: [...seen.values()], samples, findings };
    },
  };
}

export interface ScannedRun extends CommandRun {
  scan: TreeScanReport;
  /** secrets in any process's argv, or in the command's stdout or stderr */
  findings: SecretFinding[];
}

/** Runs the command in its own process group while sampling its process tree; also scans its output. */
export async function runScanningForSecrets(
  command: CommandSpec,
  secrets: Secrets,
  options: { intervalMs?: number } = {},
): Promise<ScannedRun> {
  checkSecrets(secrets);
  const group = startGroup(command);
  const scan = watchProcessTree(group.pid, secrets, {
    ...options,
    maxMs: (command.timeoutMs ?? 120_000) + 5_000,
  });
  let run: CommandRun;
  try {
    run = await group.done;
  } catch (error) {
    await scan.stop();
    throw error;
  }
  const report = await scan.stop();
  const outputFindings = findSecrets({ stdout: run.stdout, stderr: run.stderr }, secrets);
  return { ...run, scan: report, findings: [...report.findings, ...outputFindings] };
}
