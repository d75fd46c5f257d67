/**
 * The in-process {@link EventStore}: bounded LRU maps of event ids (with a TTL per entry) and VM positions. Good for
 * one instance; after a restart, or with several instances, use the Redis store.
 */
import type { BeginResult, EventStore, SequencedEvent } from './event-store.js';
import { advanceSequence, judgeSequence } from './sequence.js';
import type { SequenceState } from './sequence.js';

/** Options of {@link createMemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /** Most event ids remembered; the least recently used are forgotten first. Default 100 000. */
  maxEntries?: number;
  /** How long a completed event id is remembered, in ms. Default 24 h. */
  completedTtlMs?: number;
  /** Most VM positions remembered (least recently used forgotten first). Default 100 000. */
  maxPositions?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry {
  state: 'pending' | 'done';
  expiresAt: number;
}

/** An in-process event store (see the module comment). */
export function createMemoryEventStore(options: MemoryEventStoreOptions = {}): EventStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const maxPositions = options.maxPositions ?? 100_000;
  const completedTtlMs = options.completedTtlMs ?? 24 * 3600_000;
  const now = options.now ?? Date.now;
  for (const [name, value] of [
    ['maxEntries', maxEntries],
    ['maxPositions', maxPositions],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  const entries = new Map<string, Entry>();
  const positions = new Map<string, SequenceState>();

  /** Set as the most recently used, forgetting the least recently used beyond `max`. */
  const touch = <TValue>(map: Map<string, TValue>, key: string, value: TValue, max: number): void => {
    map.delete(key);
    map.set(key, value);
    while (map.size > max) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) break;
      map.delete(oldest);
    }
  };
  const live = (id: string): Entry | undefined => {
    const entry = entries.get(id);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(id);
      return undefined;
    }
    return entry;
  };
  const done = (id: string): void =>
    touch(entries, id, { state: 'done', expiresAt: now() + completedTtlMs }, maxEntries);

  const begin = (eventId: string, leaseMs: number, sequence?: SequencedEvent): BeginResult => {
    const entry = live(eventId);
    if (entry?.state === 'done') {
      touch(entries, eventId, entry, maxEntries); // recently seen ids stay longest
      return { kind: 'duplicate' };
    }
    if (entry?.state === 'pending') return { kind: 'in-progress' };
    if (sequence !== undefined) {
      const verdict = judgeSequence(positions.get(sequence.scope), sequence.position);
      if (verdict.stale) {
        done(eventId);
        return { kind: 'stale', reason: verdict.reason, lastKey: verdict.lastKey };
      }
    }
    touch(entries, eventId, { state: 'pending', expiresAt: now() + leaseMs }, maxEntries);
    return { kind: 'claimed' };
  };

  return {
    begin: (eventId, leaseMs, sequence) => Promise.resolve(begin(eventId, leaseMs, sequence)),
    renew(eventId, leaseMs) {
      const entry = live(eventId);
      if (entry?.state !== 'pending') return Promise.resolve(false);
      entry.expiresAt = now() + leaseMs;
      return Promise.resolve(true);
    },
    finish(eventId, sequence) {
      if (sequence !== undefined) {
        const state = positions.get(sequence.scope);
        const next = advanceSequence(state, sequence.position);
        // Never backwards: unchanged when a newer event of the VM was processed meanwhile.
        if (next !== state) touch(positions, sequence.scope, next, maxPositions);
      }
      done(eventId);
      return Promise.resolve();
    },
    release(eventId) {
      if (live(eventId)?.state === 'pending') entries.delete(eventId);
      return Promise.resolve();
    },
    close() {
      entries.clear();
      positions.clear();
      return Promise.resolve();
    },
  };
}
