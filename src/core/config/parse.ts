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
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, col, path: '', message: `invalid YAML: ${firstLine(error.message)}` };
      }),
    };
  }
  return { ok: true, parsed: { file, document, lineCounter } };
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/ at line \d+, column \d+:?$/, '');
}

function fail(file: string, line: number, col: number, message: string): ParseResult {
  return { ok: false, diagnostics: [{ file, line, col, path: '', message }] };
}
