/**
 * Reading and changing release records safely: every change is a read-modify-write that
 * names the version it read; on a conflict it reads again and applies the same change to
 * what is there now (bounded), so concurrent writers never lose each other's updates.
 */
import { EngineError } from '../core/errors.ts';
import { ConflictError, type ReleaseStore } from '../core/ports.ts';
import {
  DEFAULT_HISTORY_LIMIT,
  type ReleaseRecord,
  recordsToPrune,
  type StoredRelease,
} from '../core/release.ts';

const MAX_CONFLICTS = 5;

export async function loadRecords(store: ReleaseStore): Promise<Map<string, StoredRelease>> {
  const stored = await store.list();
  return new Map(stored.map((entry) => [entry.record.id, entry]));
}

/**
 * Applies `change` to the record `id` and writes it; `change` gets the current record (or
 * undefined) and returns the new one, or undefined to leave it as it is.
 */
export async function changeRecord(
  store: ReleaseStore,
  id: string,
  known: StoredRelease | undefined,
  change: (current: ReleaseRecord | undefined) => ReleaseRecord | undefined,
): Promise<StoredRelease | undefined> {
  let current = known;
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const next = change(current?.record);
    if (next === undefined) return current;
    try {
      return current ? await store.update(current, next) : await store.create(next);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      current = (await store.list()).find((entry) => entry.record.id === id);
    }
  }
  throw new EngineError(
    'record-conflict',
    `the release record ${id} changed ${MAX_CONFLICTS} times while this run updated it`,
  );
}

/** Deletes the oldest records beyond the limit, never one in `keep` (live, standby, rollback target). */
export async function pruneHistory(
  store: ReleaseStore,
  records: readonly ReleaseRecord[],
  keep: ReadonlySet<string>,
  limit = DEFAULT_HISTORY_LIMIT,
): Promise<string[]> {
  const doomed = recordsToPrune(records, limit, keep);
  for (const record of doomed) await store.delete(record.id);
  return doomed.map((record) => record.id);
}
