/** Reads a YAML config file safely: a size cap, one document, positions kept. */
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

/** Config files are small; anything larger is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export interface ParsedFile {
  file: string;
  document: Document;
  lineCounter: LineCounter;
}

export type ParseResult = { ok: true; parsed: ParsedFile } | { ok: false; diagnostics: Diagnostic[] };

export function parseConfigText(file: string, text: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) {
    return fail(
      file,
      1,
      1,
      `file is ${bytes} bytes, larger than the ${MAX_CONFIG_BYTES} bytes a config may have`,
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    // Duplicates are reported by the validator, with both lines.
    uniqueKeys: false,
    // YAML 1.1 merge keys (`<<: *base`) are not supported: the key is reported as unknown.
    merge: false,
    strict: true,
  });
  if (document.errors.length > 0) {
    return {
      ok: false,
      diagnostics: document.errors.map((error) => {
        // Where the parser's stack ran out depends on the stack size, so it is no position to show.
        const overflow = /Maximum call stack/.test(error.message);
        const { line, col } = overflow ? { line: 1, col: 1 } : lineCounter.linePos(error.pos[0]);
        return {
          file,
          line,
          col,
          path: '',
          message: `invalid YAML: ${yamlProblem(error.code, error.message)}`,
        };
      }),
    };
  }
  const aliasProblem = aliasBombProblem(document);
  if (aliasProblem) return fail(file, 1, 1, aliasProblem);
  return { ok: true, parsed: { file, document, lineCounter } };
}

/** Aliases may expand to at most this many nodes in total. */
export const MAX_ALIAS_COUNT = 100;

/**
 * yaml's own guard: toJS counts what every alias expands to before expanding it, and
 * throws past the limit, so a "billion laughs" file is refused in microseconds.
 */
function aliasBombProblem(document: Document): string | undefined {
  try {
    document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return undefined;
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return `refused: aliases expand to more than ${MAX_ALIAS_COUNT} nodes (a YAML alias bomb?)`;
    }
    throw error;
  }
}

function yamlProblem(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'a config file holds one YAML document; remove the "---" separator';
  // yaml reports its own stack overflow on absurd nesting as an error; say what it means.
  if (/Maximum call stack/.test(message)) return 'collections are nested too deeply';
  return firstLine(message);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/ at line \d+, column \d+:?$/, '');
}

function fail(file: string, line: number, col: number, message: string): ParseResult {
  return { ok: false, diagnostics: [{ file, line, col, path: '', message }] };
}
