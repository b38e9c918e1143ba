/**
 * Finds where the events of a Kubernetes watch stream end, so the fault proxy can cut a
 * stream right after the Kth whole event. JSON streams are a sequence of objects (the API
 * server ends each with a newline; the scanner does not rely on it); protobuf streams
 * frame each event with a 4-byte big-endian length.
 */

export interface EventBoundaries {
  /** Feeds the next chunk of the stream; returns the offsets in it just after each event that ends in it. */
  feed(chunk: Buffer): number[];
}

/**
 * Top-level JSON objects, found by tracking nesting outside strings. An event ends after
 * its closing brace and the newline that follows it in the same chunk (line-reading
 * clients such as @kubernetes/client-node only see an event once its newline arrives).
 */
function jsonBoundaries(): EventBoundaries {
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    feed(chunk) {
      const ends: number[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c)
            escaped = true; // backslash
          else if (byte === 0x22) inString = false; // quote
        } else if (byte === 0x22) {
          inString = true;
        } else if (byte === 0x7b || byte === 0x5b) {
          depth += 1; // { [
        } else if (byte === 0x7d || byte === 0x5d) {
          depth -= 1; // } ]
          if (depth === 0) {
            if (chunk[i + 1] === 0x0d) i += 1; // \r
            if (chunk[i + 1] === 0x0a) i += 1; // \n
            ends.push(i + 1);
          }
        }
      }
      return ends;
    },
  };
}

/** Length-prefixed frames (`application/vnd.kubernetes.protobuf;stream=watch`). */
function lengthPrefixedBoundaries(): EventBoundaries {
  let header = Buffer.alloc(0);
  let remaining = 0; // bytes of the current frame's body still to come
  return {
    feed(chunk) {
      const ends: number[] = [];
      let i = 0;
      while (i < chunk.length) {
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length - i);
          remaining -= take;
          i += take;
          if (remaining === 0) ends.push(i);
          continue;
        }
        const need = 4 - header.length;
        header = Buffer.concat([header, chunk.subarray(i, i + need)]);
        i += Math.min(need, chunk.length - i);
        if (header.length === 4) {
          remaining = header.readUInt32BE(0);
          header = Buffer.alloc(0);
          if (remaining === 0) ends.push(i);
        }
      }
      return ends;
    },
  };
}

/** Any other stream: each chunk counts as one event (the API server flushes once per event). */
function chunkBoundaries(): EventBoundaries {
  return { feed: (chunk) => (chunk.length > 0 ? [chunk.length] : []) };
}

export function eventBoundaries(contentType: string | undefined): EventBoundaries {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('protobuf')) return lengthPrefixedBoundaries();
  if (type.includes('json')) return jsonBoundaries();
  return chunkBoundaries();
}
