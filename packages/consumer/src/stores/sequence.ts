/**
 * Stale-event policy: per source and VM, the consumer remembers the vCenter event key of the last event
 * it processed and drops an event whose key is older.
 *
 * vCenter event keys are int32 counters that grow within one vCenter instance and, on long-lived vCenters,
 * overflow from 2^31-1 to -2^31 (vm-operation-event 1.1 accepts the whole int32 range). Two rules keep the
 * comparison right in the corner cases:
 * - Wrap-around: keys are compared with 32-bit serial-number arithmetic (RFC 1982), the way vCenter's counter
 *   wraps: key `a` is newer than `b` when `(a - b) mod 2^32` is in `(0, 2^31]`. So `2147483647 → -2147483648`
 *   is "newer", and a key less than 2^31 steps behind is "older".
 * - A new vCenter (a different `instanceUuid`, e.g. a redeployed or restored vCenter whose counter
 *   restarted) starts a new sequence for that VM: its first event is accepted, the previous instance is
 *   retired, and late events from a retired instance are stale.
 */

/** The position of one event in its vCenter's sequence. */
export interface SequencePosition {
  /** vCenter instance UUID (empty when the event does not say). */
  instanceUuid: string;
  /** vCenter event key (int32). */
  eventKey: number;
}

/** What is remembered per source + VM. */
export interface SequenceState extends SequencePosition {
  /** Instance UUIDs that were replaced by a newer one (most recent first, at most 8). */
  retired: string[];
}

/** The stale check's verdict. */
export type SequenceVerdict =
  | { stale: false; reason: 'first' | 'newer' | 'new-instance' }
  | { stale: true; reason: 'older' | 'same-key' | 'retired-instance'; lastKey: number };

const KEY_SPACE = 2 ** 32;
const HALF_SPACE = 2 ** 31;
const MAX_RETIRED = 8;

/**
 * Compare two vCenter event keys (int32) with RFC 1982 serial arithmetic over 32 bits, matching vCenter's
 * wrap from 2^31-1 to -2^31: positive when `a` is newer than `b`, negative when older, 0 when equal.
 */
export function compareEventKeys(a: number, b: number): number {
  const distance = (((a - b) % KEY_SPACE) + KEY_SPACE) % KEY_SPACE;
  if (distance === 0) return 0;
  // Exactly 2^31 apart is undefined in RFC 1982; we call it newer, so an event is never lost to it.
  return distance <= HALF_SPACE ? 1 : -1;
}

/** Decide whether an event at `position` is stale given the remembered `state` of its VM. */
export function judgeSequence(state: SequenceState | undefined, position: SequencePosition): SequenceVerdict {
  if (!state) return { stale: false, reason: 'first' };
  if (state.instanceUuid !== position.instanceUuid) {
    return state.retired.includes(position.instanceUuid)
      ? { stale: true, reason: 'retired-instance', lastKey: state.eventKey }
      : { stale: false, reason: 'new-instance' };
  }
  const order = compareEventKeys(position.eventKey, state.eventKey);
  if (order > 0) return { stale: false, reason: 'newer' };
  return { stale: true, reason: order === 0 ? 'same-key' : 'older', lastKey: state.eventKey };
}

/** The state after processing an event at `position` (unchanged when that event is stale). */
export function advanceSequence(state: SequenceState | undefined, position: SequencePosition): SequenceState {
  const verdict = judgeSequence(state, position);
  if (verdict.stale) return state!;
  if (!state) return { ...position, retired: [] };
  if (verdict.reason === 'new-instance') {
    const retired = [state.instanceUuid, ...state.retired.filter((id) => id !== position.instanceUuid)];
    return { ...position, retired: retired.slice(0, MAX_RETIRED) };
  }
  return { ...position, retired: state.retired };
}

/** Canonical JSON of a state, so compare-and-set compares like with like. */
export function serializeSequenceState(state: SequenceState): string {
  return JSON.stringify({
    instanceUuid: state.instanceUuid,
    eventKey: state.eventKey,
    retired: state.retired,
  });
}
