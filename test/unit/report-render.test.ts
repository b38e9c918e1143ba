/** The renderers of a test run: exact strings, escaping of untrusted text, and GitHub's size limits. */
import { describe, expect, it } from 'vitest';
import { parseJUnit } from '../../src/core/junit/parse.ts';
import { caseTitle, describeTotals, formatSeconds } from '../../src/core/report/junit-summary.ts';
import {
  COMMENT_LIMIT,
  commentMarker,
  JOB_SUMMARY_LIMIT_BYTES,
  renderJobSummary,
  renderJUnitText,
  renderPullRequestComment,
  renderStatusDescription,
  statusContext,
} from '../../src/core/report/render.ts';
import { reportTargets } from '../../src/core/report/targets.ts';
import type { DeployedService, TestRunReport } from '../../src/core/report/types.ts';
import { readJUnitFile } from '../../src/disk/junit-file.ts';

const FIXTURES = new URL('../fixtures/junit/', import.meta.url).pathname;

const HELLO_A: DeployedService = {
  service: 'hello-a',
  branch: 'master',
  commit: 'a'.repeat(40),
  digest: `sha256:${'1'.repeat(64)}`,
  standbyUrl: 'http://hello-a-preview.greenlight-master.svc:8080',
  githubRepository: 'acme/hello-a',
};
const HELLO_B: DeployedService = {
  service: 'hello-b',
  branch: 'feature/login',
  commit: 'b'.repeat(40),
  digest: `sha256:${'2'.repeat(64)}`,
  standbyUrl: 'http://hello-b-preview.greenlight-master.svc:8080',
  githubRepository: 'acme/hello-b',
};

const FAILING_XML = `<testsuites><testsuite name="hello-b" time="1.5">
<testcase classname="hello-b" name="GET / includes hello-a's answer" time="1"><failure message="hello-b could not get hello-a's answer: HTTP 502" type="AssertionError">hello-b could not get hello-a's answer: HTTP 502
(after 5 attempts)</failure></testcase>
<testcase classname="hello-b" name="GET /healthz answers 200" time="0.5"/>
</testsuite></testsuites>`;

function failingRun(overrides: Partial<TestRunReport> = {}): TestRunReport {
  return {
    group: 'master',
    namespace: 'greenlight-master',
    releaseId: '0123456789abcdef',
    standbyColor: 'green',
    passed: false,
    junit: parseJUnit(FAILING_XML, { source: 'the log of pod t' }),
    notes: ['the test pod exited with code 1'],
    services: [HELLO_A, HELLO_B],
    runUrl: 'https://github.com/acme/deployments/actions/runs/42',
    ...overrides,
  };
}

describe('the sticky pull-request comment', () => {
  it('a failing run: marker, headline, release, notes, totals, table, folded failures, footer', () => {
    expect(renderPullRequestComment(failingRun())).toBe(`<!-- greenlight:master -->

### ❌ Integration tests failed: group \`master\`

Release \`0123456789abcdef\` on the standby color (green) in namespace \`greenlight-master\` · [workflow run](https://github.com/acme/deployments/actions/runs/42)

- the test pod exited with code 1

**Results:** 2 tests: 1 passed, 1 failed, 0 errors, 0 skipped, 1.5 s

| Service | Branch | Commit | Digest | Standby URL |
| --- | --- | --- | --- | --- |
| hello-a | \`master\` | \`aaaaaaa\` | \`sha256:111111111111\` | \`http://hello-a-preview.greenlight-master.svc:8080\` |
| hello-b | \`feature/login\` | \`bbbbbbb\` | \`sha256:222222222222\` | \`http://hello-b-preview.greenlight-master.svc:8080\` |

#### Failed (1)

<details>
<summary>❌ failed: <code>hello-b › GET / includes hello-a&#39;s answer</code></summary>

\`\`\`text
hello-b could not get hello-a's answer: HTTP 502
(after 5 attempts)
\`\`\`

</details>

<sub>Greenlight updates this comment on every test run of group \`master\`.</sub>
`);
  });

  it('untrusted names cannot break out: HTML, mentions, pipes, backticks, markdown links', () => {
    const hostile = parseJUnit(
      `<testsuite name="s"><testcase classname="x" name="&lt;/code&gt;&lt;img src=x onerror=alert(1)&gt; @octocat"><failure message="\`\`\`&#10;&lt;/details&gt; [click](https://evil.example)"/></testcase></testsuite>`,
      { source: 'x' },
    );
    const body = renderPullRequestComment(
      failingRun({
        junit: hostile,
        notes: ['branch [x](https://evil.example) by @octocat <b>'],
        services: [{ ...HELLO_B, service: 'svc|x', branch: 'a|b`c' }],
      }),
    );
    expect(body).toContain('- branch \\[x\\](https://evil.example) by @\u200boctocat \\<b\\>');
    expect(body).toContain('| svc\\|x | `` a\\|b`c `` |');
    expect(body).toContain(
      '<summary>❌ failed: <code>x › &#60;/code&#62;&#60;img src=x onerror=alert(1)&#62; @octocat</code></summary>',
    );
    // The message holds a triple backtick: the fence is longer, so </details> stays inside it.
    expect(body).toContain('````text\n```\n</details> [click](https://evil.example)\n````');
    expect(body).not.toContain('<img');
  });

  it('an oversized report stays under 65,536 characters, shows what fits and links to the run', () => {
    const cases = Array.from(
      { length: 2000 },
      (_, index) =>
        `<testcase classname="big" name="case ${index}"><failure message="m${index}">${'why '.repeat(500)}</failure></testcase>`,
    ).join('');
    const report = failingRun({
      junit: parseJUnit(`<testsuite name="big">${cases}</testsuite>`, { source: 'x' }),
    });
    const body = renderPullRequestComment(report);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect([...body].length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // Nothing wasted: less room is left than one more failure block would take.
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT - 2_200);
    const shown = body.match(/<details>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(body.match(/<\/details>/g)?.length).toBe(shown);
    expect(body).toContain(
      `…and ${2000 - shown} more not shown here: see [the workflow run](https://github.com/acme/deployments/actions/runs/42).`,
    );
    expect(body.startsWith('<!-- greenlight:master -->\n')).toBe(true);
    expect(
      body.endsWith('<sub>Greenlight updates this comment on every test run of group `master`.</sub>\n'),
    ).toBe(true);
    expect(body).toContain('#### Failed (2000)');
  });

  it('one huge failure body is cut inside its block, with the cut marked', () => {
    const report = failingRun({
      junit: parseJUnit(
        `<testsuite><testcase name="loud"><failure>${'x'.repeat(15_000)}</failure></testcase></testsuite>`,
        { source: 'x' },
      ),
    });
    const body = renderPullRequestComment(report);
    expect(body).toContain(
      `\`\`\`text\n${'x'.repeat(4000 - 41)}\n… (cut; the whole text is in the report)\n\`\`\``,
    );
  });

  it('a group of 5,000 services: rows are left out, counted, and the comment fits', () => {
    const services = Array.from({ length: 5000 }, (_, index) => ({
      ...HELLO_A,
      service: `service-${index}`,
      standbyUrl: `http://service-${index}-preview.${'n'.repeat(60)}.svc:8080`,
    }));
    const body = renderPullRequestComment(failingRun({ services }));
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    const rows = body.match(/^\| service-\d+ /gm)?.length ?? 0;
    expect(rows).toBeGreaterThan(100);
    expect(body).toContain(`| …and ${5000 - rows} more services | | | | |`);
  });

  it('the marker names the group, encoded so it cannot end the comment early', () => {
    expect(commentMarker('login-feature')).toBe('<!-- greenlight:login-feature -->');
    expect(commentMarker('a-->b')).toBe('<!-- greenlight:a--%3Eb -->');
    expect(statusContext('master')).toBe('greenlight/master');
  });
});

describe('the job summary', () => {
  it('a passing run without notes or run URL, with skipped and flaky cases', () => {
    const junit = readJUnitFile(FIXTURES, 'tools/surefire-TEST-com.example.shop.OrderServiceTest.xml');
    const passing = {
      ...junit,
      cases: junit.cases.filter((testCase) => testCase.status !== 'failed' && testCase.status !== 'errored'),
    };
    const summary = renderJobSummary({
      group: 'login-feature',
      namespace: 'greenlight-login',
      releaseId: 'fedcba9876543210',
      passed: true,
      junit: { ...passing, totals: { ...passing.totals, tests: 3, failures: 0, errors: 0 } },
      notes: [],
      services: [{ service: 'hello-a', digest: `sha256:${'3'.repeat(64)}` }],
    });
    expect(summary).toBe(`### ✅ Integration tests passed: group \`login-feature\`

Release \`fedcba9876543210\` on the standby color in namespace \`greenlight-login\`

**Results:** 3 tests: 2 passed, 0 failed, 0 errors, 1 skipped (1 flaky), 20 min 4 s

| Service | Branch | Commit | Digest | Standby URL |
| --- | --- | --- | --- | --- |
| hello-a | - | - | \`sha256:333333333333\` | - |
`);
  });

  it('the reporter’s warnings close the summary, escaped', () => {
    const summary = renderJobSummary(failingRun({ services: [HELLO_A] }), [
      'commenting on acme/hello-a#3: the token may not do this (HTTP 403: Resource not accessible by integration)',
      'setting the commit status on acme/hello-a@aaaaaaa: GitHub could not be reached (fetch failed)',
    ]);
    expect(
      summary.endsWith(`</details>

#### Reporting to GitHub

- ⚠️ commenting on acme/hello-a\\#3: the token may not do this (HTTP 403: Resource not accessible by integration)
- ⚠️ setting the commit status on acme/hello-a@\u200baaaaaaa: GitHub could not be reached (fetch failed)
`),
    ).toBe(true);
  });

  it('no JUnit report: the notes say why', () => {
    const summary = renderJobSummary(
      failingRun({
        junit: undefined as never,
        notes: [
          'the cluster serves no pod logs (kwok): judged by the exit code',
          'the test pod exited with code 1',
        ],
        services: [HELLO_A],
      }),
    );
    expect(summary).toContain(
      '- the cluster serves no pod logs (kwok): judged by the exit code\n- the test pod exited with code 1\n\n**Results:** no JUnit report\n',
    );
    expect(summary).not.toContain('#### Failed');
  });

  it('report warnings and suite errors appear', () => {
    const lying = renderJobSummary(
      failingRun({ junit: readJUnitFile(FIXTURES, 'odd/attributes-lie.xml'), notes: [] }),
    );
    expect(lying).toContain(
      "- report: the report's attributes disagree with its \\<testcase\\> elements: tests=10 (counted 3), failures=0 (counted 1), errors=0 (counted 1); the counted numbers are used\n",
    );
    const summary = renderJobSummary(
      failingRun({ junit: readJUnitFile(FIXTURES, 'odd/suite-error.xml'), notes: [] }),
    );
    expect(summary).toContain(
      '<summary>💥 suite error: <code>suite database tests did not run to the end</code></summary>\n\n```text\nTest suite failed to run\n\nCannot connect to postgres://127.0.0.1:5432: ECONNREFUSED\n```',
    );
  });

  it('stays under 1 MiB of UTF-8 with multi-byte messages', () => {
    const cases = Array.from(
      { length: 3000 },
      (_, index) =>
        `<testcase name="c${index}"><failure message="😀">${'ü😀'.repeat(1000)}</failure></testcase>`,
    ).join('');
    const summary = renderJobSummary(
      failingRun({ junit: parseJUnit(`<testsuite>${cases}</testsuite>`, { source: 'x' }) }),
    );
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
    expect(summary).toMatch(/…and \d+ more not shown here/);
  });
});

describe('the commit status description (at most 140 characters)', () => {
  it.each([
    [
      'pending',
      { group: 'master', namespace: 'n', releaseId: '0123456789abcdef', services: [] },
      'Testing release 0123456789abcdef on standby',
    ],
    ['failed', failingRun(), 'Failed: 1 failed of 2 tests, release 0123456789abcdef'],
    [
      'passed with skips',
      failingRun({ passed: true, junit: readJUnitFile(FIXTURES, 'tools/pytest-legacy.xml') }),
      'Passed: 3 tests, 1 skipped, release 0123456789abcdef',
    ],
    [
      'failed with no failed case (a suite error and an exit code)',
      failingRun({ junit: parseJUnit('<testsuite><testcase name="a"/></testsuite>', { source: 'x' }) }),
      'Failed: 1 test (the test pod exited with code 1), release 0123456789abcdef',
    ],
    [
      'no report',
      failingRun({ junit: undefined as never, notes: ['the test pod was OOMKilled'] }),
      'Failed: the test pod was OOMKilled',
    ],
  ])('%s', (_, run, description) => {
    expect(renderStatusDescription(run)).toBe(description);
  });

  it('a long note is cut to 140 characters (code points), newlines flattened', () => {
    const description = renderStatusDescription(
      failingRun({ junit: undefined as never, notes: [`😀\n${'x'.repeat(300)}`] }),
    );
    expect([...description]).toHaveLength(140);
    expect(description.startsWith('Failed: 😀 xxx')).toBe(true);
    expect(description.endsWith('x…')).toBe(true);
  });
});

describe('the CLI text of a report', () => {
  it('jest-junit: totals, the failure with its first lines', () => {
    expect(renderJUnitText(readJUnitFile(FIXTURES, 'tools/jest-junit.xml'), 3)).toBe(
      `tools/jest-junit.xml: 6 tests: 4 passed, 1 failed, 0 errors, 1 skipped, 2.32 s

FAILED: cart totals applies a discount code
    Error: expect(received).toBe(expected) // Object.is equality

    Expected: 90
    ... (3 more lines)
`,
    );
  });

  it('terminal control characters from a report never reach the terminal', () => {
    const report = parseJUnit(
      '<testsuite><testcase name="c&#x9b;31m"><failure message="&#x85;x"/></testcase></testsuite>',
      {
        source: 'x',
      },
    );
    expect(renderJUnitText(report)).toBe(
      'x: 1 test: 0 passed, 1 failed, 0 errors, 0 skipped\n\nFAILED: c\uFFFD31m\n    \uFFFDx\n',
    );
  });
});

describe('words', () => {
  it.each([
    [0.004, '0 s'],
    [2.317, '2.32 s'],
    [12.25, '12.3 s'],
    [1204.331, '20 min 4 s'],
    [3725, '1 h 2 min'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });

  it('totals', () => {
    expect(describeTotals({ tests: 1, passed: 0, failures: 0, errors: 1, skipped: 0, flaky: 0 })).toBe(
      '1 test: 0 passed, 0 failed, 1 error, 0 skipped',
    );
  });

  it.each([
    [{ name: 'test_x', classname: 'tests.test_api', suite: ['pytest'] }, 'tests.test_api › test_x'],
    [{ name: 'sum adds', classname: 'sum adds', suite: ['sum'] }, 'sum adds'],
    [{ name: 'GET /users pages', classname: 'pages', suite: ['GET /users'] }, 'GET /users pages'],
    [{ name: 'home', suite: ['smoke'] }, 'smoke › home'],
    [{ name: 'loose', suite: [] }, 'loose'],
    [{ name: '', suite: [] }, '(unnamed test case)'],
  ])('caseTitle %j', (testCase, title) => {
    expect(caseTitle(testCase)).toBe(title);
  });
});

describe('reportTargets', () => {
  it('one status per repository and commit, one lookup per repository and branch; nothing without a repository', () => {
    const targets = reportTargets([
      HELLO_A,
      { ...HELLO_A, service: 'hello-a-worker' },
      HELLO_B,
      { ...HELLO_B, service: 'no-repo', githubRepository: undefined as never },
      { service: 'by-digest', digest: 'sha256:x', githubRepository: 'acme/x' },
      { ...HELLO_A, service: 'bad-sha', commit: 'not-a-sha', githubRepository: 'acme/y' },
      { ...HELLO_A, service: 'bad-repo', githubRepository: 'not a repo' },
    ]);
    expect(targets).toEqual({
      statuses: [
        { repository: 'acme/hello-a', sha: 'a'.repeat(40), services: ['hello-a', 'hello-a-worker'] },
        { repository: 'acme/hello-b', sha: 'b'.repeat(40), services: ['hello-b'] },
      ],
      branches: [
        { repository: 'acme/hello-a', branch: 'master', services: ['hello-a', 'hello-a-worker'] },
        { repository: 'acme/hello-b', branch: 'feature/login', services: ['hello-b'] },
        { repository: 'acme/y', branch: 'master', services: ['bad-sha'] },
      ],
    });
  });
});
