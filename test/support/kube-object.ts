/**
 * The identity of the Kubernetes object in a request or response body, in either of the
 * encodings clients use: JSON, or Kubernetes protobuf (kubectl sends and asks for
 * protobuf for built-in types). The fault proxy puts it in its records, so a test can
 * tell which objects a command wrote and which resourceVersion the server gave each.
 */

export interface ObjectSummary {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** The 4 bytes in front of every Kubernetes protobuf body. */
const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  number: number;
  /** length-delimited fields only */
  bytes?: Buffer;
}

/** The top-level fields of one protobuf message (values kept for length-delimited ones). */
function protobufFields(message: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = message[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
      shift += 7;
    }
  };
  while (offset < message.length) {
    const tag = varint();
    const number = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0:
        varint();
        fields.push({ number });
        break;
      case 1:
        offset += 8;
        fields.push({ number });
        break;
      case 2: {
        const length = varint();
        fields.push({ number, bytes: message.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        fields.push({ number });
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${tag % 8}`);
    }
  }
  return fields;
}

function field(fields: Field[], number: number): Buffer | undefined {
  return fields.find((f) => f.number === number)?.bytes;
}

/**
 * runtime.Unknown { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2 }, and every
 * object's first field is its ObjectMeta { name = 1, namespace = 3, uid = 5, resourceVersion = 6 }.
 */
function protobufSummary(body: Buffer): ObjectSummary {
  const unknown = protobufFields(body.subarray(PROTOBUF_MAGIC.length));
  const typeMeta = protobufFields(field(unknown, 1) ?? Buffer.alloc(0));
  const raw = field(unknown, 2);
  const meta = raw ? protobufFields(field(protobufFields(raw), 1) ?? Buffer.alloc(0)) : [];
  const text = (fields: Field[], number: number) => field(fields, number)?.toString('utf8');
  return dropUndefined({
    apiVersion: text(typeMeta, 1),
    kind: text(typeMeta, 2),
    name: text(meta, 1),
    namespace: text(meta, 3),
    uid: text(meta, 5),
    resourceVersion: text(meta, 6),
  });
}

function jsonSummary(body: Buffer): ObjectSummary {
  const parsed = JSON.parse(body.toString('utf8')) as {
    apiVersion?: unknown;
    kind?: unknown;
    metadata?: Record<string, unknown>;
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const meta = parsed.metadata ?? {};
  return dropUndefined({
    apiVersion: text(parsed.apiVersion),
    kind: text(parsed.kind),
    name: text(meta.name),
    namespace: text(meta.namespace),
    uid: text(meta.uid),
    resourceVersion: text(meta.resourceVersion),
  });
}

function dropUndefined(summary: Record<string, string | undefined>): ObjectSummary {
  // protobuf carries unset strings as empty ones (a create has no uid yet): both mean absent
  return Object.fromEntries(
    Object.entries(summary).filter(([, value]) => value !== undefined && value !== ''),
  );
}

/** The object's identity, or undefined when the body is neither (YAML, a patch that names nothing, garbage). */
export function summarizeObject(body: Buffer): ObjectSummary | undefined {
  try {
    if (body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) return protobufSummary(body);
    const first = body.toString('utf8').trimStart()[0];
    if (first === '{') return jsonSummary(body);
  } catch {
    // a truncated or foreign body: nothing to say about it
  }
  return undefined;
}
