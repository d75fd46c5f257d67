import type { SequencePosition, SequenceStore } from './sequence.js';

/** Result of {@link DedupStore.claim}. */
export type ClaimResult = 'claimed' | 'duplicate' | 'in-progress';

/** An event's place in its VM's sequence: the stale-check scope (`<source>|<vmId>`) and position. */
export interface SequencedEvent {
  /** `<source>|<vmId>`. */
  scope: string;
  /** vCenter instance and event key. */
  position: SequencePosition;
}

/** Result of {@link FusedEventStore.begin}: the claim and the stale check in one answer. */
export type BeginResult =
  | { kind: 'claimed' }
  | { kind: 'duplicate' }
  | { kind: 'in-progress' }
  | { kind: 'stale'; reason: 'older' | 'same-key' | 'retired-instance'; lastKey: number };

/**
 * The dedup and stale-event steps of one event, each done in one atomic step by a store that keeps both
 * (one round trip each for a remote store). Same rules as the separate calls; see docs/consumer.md.
 */
export interface FusedEventStore {
  /**
   * Claim the event (as {@link DedupStore.claim}) and, when claimed, judge it against its VM's position.
   * A stale event is marked done in the same step and reported `stale`; it is not left claimed.
   */
  begin(eventId: string, leaseMs: number, sequence: SequencedEvent): Promise<BeginResult>;
  /**
   * After the handler succeeded: move the VM's position forward (never backwards: unchanged when a newer
   * event of the VM was processed meanwhile) and mark the event done, as one step.
   */
  finish(eventId: string, sequence: SequencedEvent): Promise<void>;
}

/**
 * Remembers which events were processed, so a redelivered event is handled once.
 *
 * The consumer calls `claim` before the handler (a lease: only one instance may run the handler for
 * an event at a time), `complete` after the handler succeeded (the id is remembered for `completedTtlMs`),
 * and `release` when the handler failed for good and the event was dead-lettered, or the consumer
 * gives the event up, so the event can be claimed again (for example after a replay).
 */
export interface DedupStore {
  /** Take a lease of `leaseMs` on the event: `claimed` (run it), `duplicate` (already done), `in-progress` (someone else runs it). */
  claim(eventId: string, leaseMs: number): Promise<ClaimResult>;
  /** Extend a lease this store holds; false when the lease was lost. */
  renew(eventId: string, leaseMs: number): Promise<boolean>;
  /** Mark the event done (remembered for the store's completed TTL). */
  complete(eventId: string): Promise<void>;
  /** Drop the lease this store holds, so the event can be claimed again. */
  release(eventId: string): Promise<void>;
  /** Free resources the store owns (not a client it was given). */
  close(): Promise<void>;
  /**
   * Optional: the fused steps for events checked against `sequences`, when this store can do the dedup
   * and the stale steps together (the Redis stores on one server); undefined when it cannot. The pipeline
   * then uses `begin`/`finish` instead of `claim` + `get` and `compareAndSet` + `complete`.
   */
  fuseWith?(sequences: SequenceStore): FusedEventStore | undefined;
}

/** Options of {@link createMemoryDedupStore}. */
export interface MemoryDedupStoreOptions {
  /** Most event ids remembered; the least recently used are forgotten first. Default 100 000. */
  maxEntries?: number;
  /** How long a completed event id is remembered, in ms. Default 24 h. */
  completedTtlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Entry {
  state: 'pending' | 'done';
  expiresAt: number;
}

/**
 * An in-process dedup store: a bounded LRU map with a TTL per entry. Good for one instance; after a
 * restart, or with several instances, use {@link createRedisDedupStore}.
 */
export function createMemoryDedupStore(options: MemoryDedupStoreOptions = {}): DedupStore {
  const maxEntries = options.maxEntries ?? 100_000;
  const completedTtlMs = options.completedTtlMs ?? 24 * 3600_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxEntries) || maxEntries < 1)
    throw new RangeError('maxEntries must be a positive integer');
  const entries = new Map<string, Entry>();

  const set = (id: string, entry: Entry): void => {
    entries.delete(id);
    entries.set(id, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
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

  return {
    claim(eventId, leaseMs) {
      const entry = live(eventId);
      if (entry?.state === 'done') {
        set(eventId, entry); // touch: recently seen ids stay longest
        return Promise.resolve('duplicate');
      }
      if (entry?.state === 'pending') return Promise.resolve('in-progress');
      set(eventId, { state: 'pending', expiresAt: now() + leaseMs });
      return Promise.resolve('claimed');
    },
    renew(eventId, leaseMs) {
      const entry = live(eventId);
      if (entry?.state !== 'pending') return Promise.resolve(false);
      entry.expiresAt = now() + leaseMs;
      return Promise.resolve(true);
    },
    complete(eventId) {
      set(eventId, { state: 'done', expiresAt: now() + completedTtlMs });
      return Promise.resolve();
    },
    release(eventId) {
      if (live(eventId)?.state === 'pending') entries.delete(eventId);
      return Promise.resolve();
    },
    close() {
      entries.clear();
      return Promise.resolve();
    },
  };
}
