// JUnit XML in the shape CI tools read (testsuites > testsuite > testcase, with failure and
// skipped children), with every text and attribute value escaped.

export const JUNIT_BEGIN = '<!-- greenlight:junit:begin -->';
export const JUNIT_END = '<!-- greenlight:junit:end -->';

// Characters XML 1.0 does not allow at all, not even as references (controls, lone surrogates,
// U+FFFE/U+FFFF): replaced with U+FFFD.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value) {
  return String(value)
    .replace(NOT_XML, '\uFFFD')
    .replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

const seconds = (ms) => (ms / 1000).toFixed(3);
const attrs = (pairs) =>
  Object.entries(pairs)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');

/**
 * results: [{ classname, name, status: 'passed'|'failed'|'skipped', timeMs, message?, details? }]
 * Testcases are grouped into one testsuite per classname, in order of first appearance.
 */
export function renderJUnit(results, { name, timestamp }) {
  const count = (list, status) => list.filter((result) => result.status === status).length;
  const totals = (list) => ({
    tests: list.length,
    failures: count(list, 'failed'),
    errors: 0,
    skipped: count(list, 'skipped'),
    time: seconds(list.reduce((sum, result) => sum + result.timeMs, 0)),
  });
  const suites = Map.groupBy(results, (result) => result.classname);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, ...totals(results) })}>`,
  ];
  for (const [classname, cases] of suites) {
    lines.push(`  <testsuite${attrs({ name: classname, ...totals(cases), timestamp })}>`);
    for (const result of cases) {
      const open = `    <testcase${attrs({ classname, name: result.name, time: seconds(result.timeMs) })}`;
      if (result.status === 'passed') {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (result.status === 'skipped') lines.push(`      <skipped${attrs({ message: result.message })}/>`);
      else {
        const details = escapeXml(result.details ?? result.message);
        lines.push(
          `      <failure${attrs({ message: result.message, type: 'AssertionError' })}>${details}</failure>`,
        );
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
