/**
 * The store protocol of the consumer: what it remembers per event (a lease while a handler runs, then "done") and
 * per VM (the position of the last event processed, for the stale check), in four steps per event:
 *
 *   begin    claim the event's lease and, for an event with a vCenter position, judge it against its VM's
 *            position — one atomic step: `claimed` (run the handler), `duplicate` (done before), `in-progress`
 *            (another instance holds the lease), or `stale` (older than the VM's position: marked done at once)
 *   renew    extend the lease between handler retries
 *   finish   after the handler succeeded: move the VM's position forward (never backwards) and mark the event
 *            done — one atomic step
 *   release  give the lease back (the event was dead-lettered, or the consumer gives it up), so the event can be
 *            claimed again, for example after a replay
 *
 * The memory store and the Redis store implement it (Redis with one Lua script per step). The rules are the ones
 * of stores/sequence.ts; a store of your own implements these five methods with them.
 *
 * A store keeps its keys under its own prefix, so that stores with different prefixes (one per consumer group, or a
 * shared one) never see each other's state. Every step names the events it works on by id and position, so a store
 * can later offer the same steps for all events of a partition batch at once.
 */
import type { SequencePosition } from './sequence.js';

/** An event's place in its VM's sequence: the stale-check scope (`<source>|<vmId>`) and position. */
export interface SequencedEvent {
  /** `<source>|<vmId>`. */
  scope: string;
  /** vCenter instance and event key. */
  position: SequencePosition;
}

/** The answer of {@link EventStore.begin}: the claim and the stale check in one. */
export type BeginResult =
  | { kind: 'claimed' }
  | { kind: 'duplicate' }
  | { kind: 'in-progress' }
  | { kind: 'stale'; reason: 'older' | 'same-key' | 'retired-instance'; lastKey: number };

/** Where the consumer keeps which events it processed and each VM's last position. See the module comment. */
export interface EventStore {
  /**
   * Take a lease of `leaseMs` on the event and, when `sequence` is given, judge it against its VM's position.
   * A stale event is marked done in the same step and reported `stale`; it is not left claimed.
   */
  begin(eventId: string, leaseMs: number, sequence?: SequencedEvent): Promise<BeginResult>;
  /** Extend a lease this store holds; false when the lease was lost (expired, or taken by another instance). */
  renew(eventId: string, leaseMs: number): Promise<boolean>;
  /**
   * After the handler succeeded: when `sequence` is given, move the VM's position forward (unchanged when a newer
   * event of the VM was processed meanwhile), and mark the event done — one step.
   */
  finish(eventId: string, sequence?: SequencedEvent): Promise<void>;
  /** Drop the lease this store holds, so the event can be claimed again. */
  release(eventId: string): Promise<void>;
  /** Free what the store owns (not a client it was given). */
  close(): Promise<void>;
}
