/**
 * Rules for workflow and action files that actionlint does not enforce as strictly as this
 * project wants, as plain functions over the parsed YAML, so test/tools/workflows.test.ts
 * can hold every file to them and prove with its own table that each rule catches what it
 * should.
 */

/**
 * Contexts a `${{ }}` inside a `run:` script may read: values the runner or GitHub itself
 * makes, which no pusher, PR author or caller can shape. Everything else is untrusted
 * there (github.event.*, github.head_ref, github.ref_name, inputs.*, matrix.*, needs.*,
 * steps.*, env.*, vars.*, secrets.*): it must reach the script through `env:`, where the
 * shell sees a variable, not code.
 */
const SAFE_IN_RUN = [
  /^runner\.(os|arch|temp|tool_cache|name|debug)$/,
  /^github\.(sha|run_id|run_number|run_attempt|workspace|action_path|job|server_url|api_url|graphql_url|repository_id|workflow_sha)$/,
  /^job\.status$/,
  /^strategy\.(job-index|job-total|fail-fast|max-parallel)$/,
];

export interface RunScriptFinding {
  /** `jobs.build.steps[2]` or `runs.steps[0]` */
  where: string;
  /** The whole `${{ ... }}` */
  expression: string;
  /** The context it reads that is not allowed there. */
  context: string;
}

/** Every `${{ }}` in a `run:` of the document (workflow jobs' steps, composite action steps) that reads an untrusted context. */
export function untrustedContextsInRunScripts(document: unknown): RunScriptFinding[] {
  const findings: RunScriptFinding[] = [];
  for (const { where, run } of runScripts(document)) {
    for (const match of run.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
      for (const context of contextsIn(match[1] ?? '')) {
        if (!SAFE_IN_RUN.some((safe) => safe.test(context))) {
          findings.push({ where, expression: match[0], context });
        }
      }
    }
  }
  return findings;
}

function runScripts(document: unknown): { where: string; run: string }[] {
  const scripts: { where: string; run: string }[] = [];
  const fromSteps = (steps: unknown, prefix: string) => {
    if (!Array.isArray(steps)) return;
    for (const [index, step] of steps.entries()) {
      const run = (step as { run?: unknown } | null)?.run;
      if (typeof run === 'string') scripts.push({ where: `${prefix}[${index}]`, run });
    }
  };
  const root = (document ?? {}) as { jobs?: Record<string, { steps?: unknown }>; runs?: { steps?: unknown } };
  for (const [id, job] of Object.entries(root.jobs ?? {})) fromSteps(job?.steps, `jobs.${id}.steps`);
  fromSteps(root.runs?.steps, 'runs.steps');
  return scripts;
}

/**
 * The context paths an expression reads (`github.event.pull_request.title`,
 * `inputs.tag`), with index access (`github.event['x']`, `matrix[...]`) kept as the
 * part before the bracket, so it is judged by its root. String literals are skipped.
 */
export function contextsIn(expression: string): string[] {
  const withoutStrings = expression.replace(/'(?:[^']|'')*'/g, "''");
  const contexts: string[] = [];
  for (const match of withoutStrings.matchAll(/(?<![\w.-])([A-Za-z_][\w-]*(?:\.[\w-]+|\.\*|\[[^\]]*\])*)/g)) {
    const path = (match[1] ?? '').replace(/\[[^\]]*\].*$/, '').replace(/\.\*.*$/, '');
    const root = path.split('.')[0] ?? '';
    // Function calls (format(...), contains(...)) and literals are not contexts.
    const after = withoutStrings.slice((match.index ?? 0) + (match[1]?.length ?? 0)).trimStart();
    if (after.startsWith('(') || ['true', 'false', 'null'].includes(root)) continue;
    if (/^\d/.test(root)) continue;
    contexts.push(path);
  }
  return contexts;
}

export interface UsesPin {
  uses: string;
  line: number;
  /** The pinned commit, when the reference is a full SHA. */
  sha: string | undefined;
  /** The version named in the comment after it (`# v7.0.1`). */
  version: string | undefined;
}

/** Every remote `uses:` line of a workflow or action file, as written (comments included). */
export function remoteUsesLines(text: string): UsesPin[] {
  const pins: UsesPin[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const match = /^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?\s*(?:#\s*(\S+))?/.exec(line);
    const uses = match?.[1];
    if (!uses || uses.startsWith('./') || uses.startsWith('docker://')) continue;
    const ref = uses.split('@')[1] ?? '';
    pins.push({
      uses,
      line: index + 1,
      sha: /^[0-9a-f]{40}$/.test(ref) ? ref : undefined,
      version: match?.[2] && /^v\d+(\.\d+){0,2}$/.test(match[2]) ? match[2] : undefined,
    });
  }
  return pins;
}
