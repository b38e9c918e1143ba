/**
 * The fault proxy's write gate, behind the kill points (kill-points.ts): it lets exactly
 * `n` writes reach the server, holds everything that comes after the nth, and once those
 * n writes have been answered by the server (applied there) calls `onStop` (the kill)
 * before their answers reach the client. Writes that a client sends in parallel are
 * counted in the order they reach the proxy, so the server never sees write n+1.
 */

export interface WriteGateState {
  readonly limit: number;
  /** writes let through to the server */
  forwarded: number;
  /** of those, how many the server has answered (or failed) */
  completed: number;
  /** set once the nth write was let through: from then on every new request is held */
  closed: boolean;
  /** set once onStop was called */
  stopping: boolean;
}

export function newWriteGate(limit: number): WriteGateState {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`a write gate needs a whole number of writes >= 1, got ${limit}`);
  }
  return { limit, forwarded: 0, completed: 0, closed: false, stopping: false };
}

/** Before forwarding a request: `hold` once the gate is closed, else `forward` (counting a write). */
export function admit(gate: WriteGateState, write: boolean): 'forward' | 'hold' {
  if (gate.closed) return 'hold';
  if (write) {
    gate.forwarded += 1;
    if (gate.forwarded === gate.limit) gate.closed = true;
  }
  return 'forward';
}

/**
 * When the server has answered a write the gate let through. `withhold`: keep the answer
 * from the client (the gate is closed); `stop`: this was the last of the n writes, call onStop now.
 */
export function writeAnswered(gate: WriteGateState): { withhold: boolean; stop: boolean } {
  gate.completed += 1;
  if (!gate.closed) return { withhold: false, stop: false };
  const stop = !gate.stopping && gate.completed === gate.forwarded;
  if (stop) gate.stopping = true;
  return { withhold: true, stop };
}
