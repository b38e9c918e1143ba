/** The job summary of a build-push-ecr run: a pure function of its result. */
import type { BuildPushResult, DeletedBranch, PushedImage } from './flow.ts';

export function renderBuildSummary(result: BuildPushResult): string {
  return result.event === 'delete' ? renderDeletion(result) : renderPush(result);
}

function renderPush(result: PushedImage): string {
  const lines = [
    `### build-push-ecr: ${code(result.repository)}`,
    '',
    `- **Image**: ${result.image ? code(result.image) : 'not pushed (push is off)'}`,
    `- **Commit**: ${code(result.commit)}`,
    `- **Branch**: ${result.branch ? code(result.branch) : 'none'}`,
    `- **Builder**: ${result.builder}`,
    `- **Last-good tag**: ${lastGoodLine(result)}`,
  ];
  if (result.tags.length > 0) lines.push('', '**Tags**', '', ...result.tags.map((tag) => `- ${code(tag)}`));
  return `${lines.join('\n')}\n`;
}

function lastGoodLine(result: PushedImage): string {
  if (!result.lastGood) return `not moved: ${result.lastGoodSkipped ?? 'nothing was pushed'}`;
  const { tag, outcome, decision } = result.lastGood;
  const what = {
    tagged: 'moved to this image',
    'already-tagged': 'already on this image',
    kept: 'left where it was',
  }[outcome];
  const warning = decision.warn ? '**warning**: ' : '';
  return `${warning}${code(tag)} ${what} (${escapeText(decision.reason)})`;
}

function renderDeletion(result: DeletedBranch): string {
  if (!result.branch || !result.deleted) {
    return `### build-push-ecr: ${code(result.repository)}\n\nA tag was deleted: there is no last-good tag to remove.\n`;
  }
  const what = result.deleted.removed ? 'removed' : 'was not there (nothing to remove)';
  return [
    `### build-push-ecr: ${code(result.repository)}`,
    '',
    `Branch ${code(result.branch)} was deleted: its last-good tag ${code(result.deleted.tag)} ${what}. Its sha- tags stay until lifecycle rules expire them.`,
    '',
  ].join('\n');
}

/** A code span that survives backticks in the text (branch names may contain them). */
export function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 || text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Plain text from user strings: no HTML, no markdown links or emphasis. */
function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`);
}
