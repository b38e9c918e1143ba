/** Report bytes to text: UTF-8 unless a byte order mark or the XML declaration says otherwise. */
import { TextDecoder } from 'node:util';
import { JUnitError } from './error.ts';

/** UTF-8 unless a byte order mark or the XML declaration says otherwise; invalid bytes are an error. */
export function decodeReport(bytes: Uint8Array, source: string): string {
  const label = sniffEncoding(bytes);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new JUnitError(`${source}: the report declares encoding "${label}", which Greenlight cannot read`, {
      hint: 'write the report in UTF-8',
    });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new JUnitError(`${source}: the report is not valid ${label} text`, {
      hint: 'write the report in UTF-8 (or declare its real encoding in <?xml ... encoding="..."?>)',
    });
  }
}

function sniffEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^<\?xml\s[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return declared?.[1]?.toLowerCase() ?? 'utf-8';
}
