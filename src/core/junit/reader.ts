/**
 * The reading itself, with saxes (a strict, streaming XML parser).
 *
 * The totals are counted from the `<testcase>` elements: real reports' `tests`/`failures`
 * attributes are often wrong (trimmed files, reruns, merged reports), so they only raise a
 * warning when they disagree. A DOCTYPE (the door to entity expansion and external entities) is
 * refused as soon as the parser meets it and never read as a DTD, nesting depth and the
 * number of cases are bounded, and kept text is capped per element.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { JUnitError, NOT_JUNIT_HINT } from './error.ts';
import { BoundedText, boundedAttribute } from './text.ts';
import { parseJUnitTime } from './time.ts';
import type {
  CaseStatus,
  JUnitCase,
  JUnitLimits,
  JUnitReport,
  JUnitSuite,
  JUnitSuiteError,
  JUnitTotals,
} from './types.ts';

/** One-line values (message, type, names) and multi-line bodies are cut to these lengths. */
const MAX_ATTRIBUTE_CHARS = 2_000;
const MAX_BODY_CHARS = 16_384;
const MAX_WARNINGS = 20;

interface DeclaredCounts {
  tests?: number;
  failures?: number;
  errors?: number;
  skipped?: number;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** `<testsuites>` (a container, no name of its own) or `<testsuite>`. */
interface SuiteFrame {
  kind: 'suite';
  container: boolean;
  name: string;
  path: string[];
  line: number;
  ownTime?: number;
  childTime?: number;
  declared: DeclaredCounts;
  counts: Counts;
  children: SuiteFrame[];
  systemOut?: BoundedText;
}

interface Problem {
  kind: 'failure' | 'error' | 'skipped';
  message?: string;
  type?: string;
  text: BoundedText;
}

interface CaseFrame {
  kind: 'case';
  name: string;
  classname?: string;
  line: number;
  time?: number;
  problems: Problem[];
  reruns: number;
  systemOut?: BoundedText;
  systemErr?: BoundedText;
}

/** A failure/error/skipped element (its text is kept) or system-out/system-err. */
interface TextFrame {
  kind: 'text';
  text: BoundedText;
}

type Frame = SuiteFrame | CaseFrame | TextFrame | { kind: 'ignored' };

const PROBLEMS = new Set(['failure', 'error', 'skipped']);
const RERUNS = new Set(['flakyFailure', 'flakyError', 'rerunFailure', 'rerunError']);

export class ReportReader {
  readonly #source: string;
  readonly #limits: JUnitLimits;
  readonly #parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  readonly #stack: Frame[] = [];
  readonly #cases: JUnitCase[] = [];
  readonly #suites: JUnitSuite[] = [];
  /** Their text is complete only when the parse is. */
  readonly #suiteErrors: (JUnitSuiteError & { text: BoundedText })[] = [];
  readonly #warnings: string[] = [];
  #warningsDropped = 0;
  #root: SuiteFrame | undefined;

  constructor(source: string, limits: JUnitLimits) {
    this.#source = source;
    this.#limits = limits;
  }

  read(text: string): JUnitReport {
    const parser = this.#parser;
    parser.on('doctype', () => {
      throw this.#error(
        'the report has a DOCTYPE declaration; Greenlight reads no DTD and expands no entities',
        'JUnit reports need no DOCTYPE; this protects against entity expansion and external entities (XXE)',
      );
    });
    parser.on('opentag', (tag) => this.#open(tag));
    parser.on('closetag', () => this.#close());
    parser.on('text', (chunk) => this.#text(chunk));
    parser.on('cdata', (chunk) => this.#text(chunk));
    this.#feed(() => parser.write(text), 'not well-formed XML');
    this.#feed(() => parser.close(), 'the XML ends before it is complete (a truncated file?)');
    return this.#report();
  }

  /** Runs the parser, turning its errors (`line:col: message`) into one JUnitError. */
  #feed(step: () => void, what: string): void {
    try {
      step();
    } catch (error) {
      if (error instanceof JUnitError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const position = /^(\d+):(\d+): (.*?)\.?$/s.exec(message);
      const at = position ? `:${position[1]}:${position[2]}` : '';
      throw new JUnitError(`${this.#source}${at}: ${what}: ${position?.[3] ?? message}`, {
        hint: NOT_JUNIT_HINT,
      });
    }
  }

  #error(message: string, hint: string): JUnitError {
    return new JUnitError(`${this.#source}:${this.#parser.line}:${this.#parser.column}: ${message}`, {
      hint,
    });
  }

  #warn(message: string): void {
    if (this.#warnings.length < MAX_WARNINGS) this.#warnings.push(message);
    else this.#warningsDropped += 1;
  }

  #open(tag: SaxesTagPlain): void {
    if (this.#stack.length >= this.#limits.maxDepth) {
      throw this.#error(
        `elements are nested deeper than ${this.#limits.maxDepth} levels`,
        'real JUnit reports nest a few levels; this one is broken or hostile',
      );
    }
    const parent = this.#stack.at(-1);
    this.#stack.push(parent === undefined ? this.#openRoot(tag) : this.#openChild(parent, tag));
  }

  #openRoot(tag: SaxesTagPlain): Frame {
    if (tag.name !== 'testsuites' && tag.name !== 'testsuite') {
      throw this.#error(
        `expected a <testsuites> or <testsuite> root element, found <${boundedAttribute(tag.name, 100)}>`,
        NOT_JUNIT_HINT,
      );
    }
    this.#root = this.#suiteFrame(tag, []);
    return this.#root;
  }

  #openChild(parent: Frame, tag: SaxesTagPlain): Frame {
    const name = tag.name;
    if (parent.kind === 'suite') {
      if (name === 'testsuite' || name === 'testsuites') {
        const child = this.#suiteFrame(tag, parent.path);
        parent.children.push(child);
        return child;
      }
      if (name === 'testcase') return this.#caseFrame(tag);
      if (name === 'error' || name === 'failure') return this.#suiteError(parent, name, tag);
      if (name === 'system-out') {
        parent.systemOut ??= new BoundedText(MAX_BODY_CHARS);
        return { kind: 'text', text: parent.systemOut };
      }
      return { kind: 'ignored' };
    }
    if (parent.kind === 'case') {
      if (PROBLEMS.has(name)) {
        const problem: Problem = {
          kind: name as Problem['kind'],
          ...optional('message', boundedAttribute(tag.attributes.message, MAX_ATTRIBUTE_CHARS)),
          ...optional('type', boundedAttribute(tag.attributes.type, MAX_ATTRIBUTE_CHARS)),
          text: new BoundedText(MAX_BODY_CHARS),
        };
        parent.problems.push(problem);
        return { kind: 'text', text: problem.text };
      }
      if (RERUNS.has(name)) {
        parent.reruns += 1;
        return { kind: 'ignored' };
      }
      if (name === 'system-out') {
        parent.systemOut ??= new BoundedText(MAX_BODY_CHARS);
        return { kind: 'text', text: parent.systemOut };
      }
      if (name === 'system-err') {
        parent.systemErr ??= new BoundedText(MAX_BODY_CHARS);
        return { kind: 'text', text: parent.systemErr };
      }
    }
    return { kind: 'ignored' };
  }

  #suiteFrame(tag: SaxesTagPlain, parentPath: string[]): SuiteFrame {
    const container = tag.name === 'testsuites';
    const name = boundedAttribute(tag.attributes.name, MAX_ATTRIBUTE_CHARS) ?? '';
    const time = this.#time(tag, container ? 'testsuites' : `testsuite "${name}"`);
    return {
      kind: 'suite',
      container,
      name,
      path: container ? parentPath : [...parentPath, name],
      line: this.#parser.line,
      ...optional('ownTime', time),
      declared: declaredCounts(tag.attributes),
      counts: { tests: 0, failures: 0, errors: 0, skipped: 0 },
      children: [],
    };
  }

  #caseFrame(tag: SaxesTagPlain): CaseFrame {
    if (this.#cases.length >= this.#limits.maxCases) {
      throw this.#error(
        `the report holds more than ${this.#limits.maxCases} <testcase> elements`,
        'split the report, or check that the tool did not loop',
      );
    }
    const name = boundedAttribute(tag.attributes.name, MAX_ATTRIBUTE_CHARS) ?? '';
    return {
      kind: 'case',
      name,
      ...optional('classname', boundedAttribute(tag.attributes.classname, MAX_ATTRIBUTE_CHARS)),
      line: this.#parser.line,
      ...optional('time', this.#time(tag, `testcase "${name}"`)),
      problems: [],
      reruns: 0,
    };
  }

  #suiteError(parent: SuiteFrame, kind: 'error' | 'failure', tag: SaxesTagPlain): Frame {
    const text = new BoundedText(MAX_BODY_CHARS);
    const entry: JUnitSuiteError & { text: BoundedText } = {
      suite: parent.path,
      kind,
      ...optional('message', boundedAttribute(tag.attributes.message, MAX_ATTRIBUTE_CHARS)),
      ...optional('type', boundedAttribute(tag.attributes.type, MAX_ATTRIBUTE_CHARS)),
      line: this.#parser.line,
      text,
    };
    this.#suiteErrors.push(entry);
    return { kind: 'text', text };
  }

  #time(tag: SaxesTagPlain, what: string): number | undefined {
    const reading = parseJUnitTime(tag.attributes.time);
    if (reading === undefined) return undefined;
    if ('problem' in reading) {
      this.#warn(
        `line ${this.#parser.line}: time "${boundedAttribute(tag.attributes.time, 40)}" of ${what} ${reading.problem}; ignored`,
      );
      return undefined;
    }
    return reading.seconds;
  }

  #text(chunk: string): void {
    const top = this.#stack.at(-1);
    if (top?.kind === 'text') top.text.append(chunk);
  }

  #close(): void {
    const frame = this.#stack.pop();
    if (frame?.kind === 'case') this.#finishCase(frame);
    else if (frame?.kind === 'suite') this.#finishSuite(frame);
  }

  #suitePath(): string[] {
    for (let index = this.#stack.length - 1; index >= 0; index -= 1) {
      const frame = this.#stack[index];
      if (frame?.kind === 'suite') return frame.path;
    }
    return [];
  }

  #finishCase(frame: CaseFrame): void {
    const deciding =
      frame.problems.find((problem) => problem.kind === 'failure') ??
      frame.problems.find((problem) => problem.kind === 'error') ??
      frame.problems.find((problem) => problem.kind === 'skipped');
    const status: CaseStatus = deciding ? STATUS_OF[deciding.kind] : 'passed';
    const details = deciding?.text.value();
    const systemOut = frame.systemOut?.value();
    const systemErr = frame.systemErr?.value();
    this.#cases.push({
      name: frame.name,
      ...optional('classname', frame.classname),
      suite: this.#suitePath(),
      status,
      ...optional('timeSeconds', frame.time),
      ...optional('message', deciding?.message),
      ...optional('type', deciding?.type),
      ...optional('details', details),
      flakyRuns: frame.reruns,
      ...optional('systemOut', systemOut),
      ...optional('systemErr', systemErr),
      line: frame.line,
    });
    for (const enclosing of this.#stack) {
      if (enclosing.kind !== 'suite') continue;
      enclosing.counts.tests += 1;
      if (status === 'failed') enclosing.counts.failures += 1;
      if (status === 'errored') enclosing.counts.errors += 1;
      if (status === 'skipped') enclosing.counts.skipped += 1;
    }
    const parent = this.#stack.at(-1);
    if (parent?.kind === 'suite' && frame.time !== undefined) {
      parent.childTime = (parent.childTime ?? 0) + frame.time;
    }
  }

  #finishSuite(frame: SuiteFrame): void {
    const time = frame.ownTime ?? frame.childTime;
    const parent = this.#stack.at(-1);
    if (parent?.kind === 'suite' && time !== undefined) parent.childTime = (parent.childTime ?? 0) + time;
    if (frame.container) return;
    const systemOut = frame.systemOut?.value();
    this.#suites.push({
      name: frame.name,
      path: frame.path,
      ...frame.counts,
      ...optional('timeSeconds', time),
      ...optional('systemOut', systemOut),
      line: frame.line,
    });
  }

  #report(): JUnitReport {
    const root = this.#root;
    if (!root)
      throw new JUnitError(`${this.#source}: the report has no root element`, { hint: NOT_JUNIT_HINT });
    const suiteErrors = this.#suiteErrors.map(({ text, ...entry }): JUnitSuiteError => {
      const details = text.value();
      return { ...entry, ...optional('details', details) };
    });
    const time = root.ownTime ?? root.childTime;
    const totals: JUnitTotals = {
      ...root.counts,
      passed: root.counts.tests - root.counts.failures - root.counts.errors - root.counts.skipped,
      flaky: this.#cases.filter((testCase) => testCase.status === 'passed' && testCase.flakyRuns > 0).length,
      ...optional('timeSeconds', time),
    };
    this.#checkDeclared(root, totals);
    if (this.#warningsDropped > 0) this.#warnings.push(`... and ${this.#warningsDropped} more warnings`);
    // Suites are listed in document order (they were collected when they closed, innermost first).
    this.#suites.sort((a, b) => a.line - b.line);
    return {
      source: this.#source,
      totals,
      cases: this.#cases,
      suites: this.#suites,
      suiteErrors,
      warnings: this.#warnings,
    };
  }

  /** One warning when the root's attributes (or its suites', summed) disagree with the count. */
  #checkDeclared(root: SuiteFrame, totals: JUnitTotals): void {
    const declared = root.declared.tests !== undefined ? root.declared : sumDeclared(root.children);
    if (!declared) return;
    // Tools count a suite's own <error> (it failed to start) in its `errors`.
    const counted = { ...totals, errors: totals.errors + this.#suiteErrors.length };
    const differences = (['tests', 'failures', 'errors', 'skipped'] as const)
      .filter((key) => declared[key] !== undefined && declared[key] !== counted[key])
      .map((key) => `${key}=${declared[key]} (counted ${counted[key]})`);
    if (differences.length > 0) {
      this.#warnings.unshift(
        `the report's attributes disagree with its <testcase> elements: ${differences.join(', ')}; the counted numbers are used`,
      );
    }
  }
}

const STATUS_OF: Record<Problem['kind'], CaseStatus> = {
  failure: 'failed',
  error: 'errored',
  skipped: 'skipped',
};

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

function declaredCounts(attributes: Record<string, string>): DeclaredCounts {
  return {
    ...optional('tests', count(attributes.tests)),
    ...optional('failures', count(attributes.failures)),
    ...optional('errors', count(attributes.errors)),
    // pytest before 5.1 wrote `skips`.
    ...optional('skipped', count(attributes.skipped ?? attributes.skips)),
  };
}

/** The children's declared counts added up, when every child declares `tests`. */
function sumDeclared(children: SuiteFrame[]): DeclaredCounts | undefined {
  if (children.length === 0 || children.some((child) => child.declared.tests === undefined)) return undefined;
  const sum = (key: keyof DeclaredCounts) =>
    children.every((child) => child.declared[key] !== undefined)
      ? children.reduce((total, child) => total + (child.declared[key] ?? 0), 0)
      : undefined;
  return {
    ...optional('tests', sum('tests')),
    ...optional('failures', sum('failures')),
    ...optional('errors', sum('errors')),
    ...optional('skipped', sum('skipped')),
  };
}

/** `{ key: value }` when the value is defined, `{}` otherwise (exactOptionalPropertyTypes). */
function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}
