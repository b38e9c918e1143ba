/**
 * GitHub-flavoured markdown from untrusted strings (test names and messages come from the
 * tests, branch names from anyone who can push): nothing is interpreted as markup, HTML or
 * an @-mention.
 */

/** A code span that survives backticks in the text; newlines become spaces. */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = longestRun > 0 || flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A code span inside a table cell: GitHub splits cells at `|` even inside code spans. */
export function cellCode(text: string): string {
  return code(text).replaceAll('|', '\\|');
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}text\n${text}\n${fence}`;
}

/** Text for inside an HTML `<code>` element (GitHub links no mentions inside code). */
export function escapeHtml(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Plain markdown text: markup characters escaped, mentions defused, one line. */
export function escapeText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_[\]<>|#~]/g, (char) => `\\${char}`)
    .replaceAll('@', '@\u200b');
}

/** A link to an http(s) URL, or the URL as code when it is anything else. */
export function link(label: string, url: string): string {
  if (!URL.canParse(url)) return code(url);
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return code(url);
  return `[${escapeText(label)}](${parsed.href.replaceAll('(', '%28').replaceAll(')', '%29')})`;
}

/** Cuts text to `limit` characters (whole code points), marking the cut. */
export function cut(text: string, limit: number, marker = '…'): string {
  const points = [...text];
  if (points.length <= limit) return text;
  return `${points.slice(0, Math.max(0, limit - [...marker].length)).join('')}${marker}`;
}
