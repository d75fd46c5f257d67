import { describe, expect, it } from 'vitest';
import { advanceSequence, compareEventKeys, judgeSequence } from '@org/vmware-events-consumer';

const A = 'aaaaaaaa-0000-0000-0000-000000000001';
const B = 'bbbbbbbb-0000-0000-0000-000000000002';
const MAX = 2 ** 31 - 1;
const MIN = -(2 ** 31);

describe("compareEventKeys (RFC 1982 over 32 bits, like vCenter's int32 counter)", () => {
  it('orders ordinary keys', () => {
    expect(compareEventKeys(10, 9)).toBe(1);
    expect(compareEventKeys(9, 10)).toBe(-1);
    expect(compareEventKeys(7, 7)).toBe(0);
  });
  it('treats the counter wrapping from 2^31-1 to -2^31 as newer, and the keys after it too', () => {
    expect(compareEventKeys(MIN, MAX)).toBe(1);
    expect(compareEventKeys(MIN + 5, MAX - 5)).toBe(1);
    expect(compareEventKeys(-1, MAX)).toBe(1);
    expect(compareEventKeys(MAX, MIN)).toBe(-1);
    expect(compareEventKeys(MAX - 1, MIN + 1)).toBe(-1);
  });
  it('keeps ordering keys on the negative side up to 0 and beyond', () => {
    expect(compareEventKeys(-1, -2)).toBe(1);
    expect(compareEventKeys(0, -1)).toBe(1);
    expect(compareEventKeys(1, -5)).toBe(1);
    expect(compareEventKeys(-5, 1)).toBe(-1);
  });
  it('calls a key up to 2^31 ahead newer: a VM idle while a billion events happened is not stale', () => {
    // 31-bit arithmetic called these older (or equal), dropping the VM's next event as stale.
    expect(compareEventKeys(2 ** 30 + 5, 0)).toBe(1);
    expect(compareEventKeys(100 + 2 ** 31, 100)).toBe(1); // exactly half the space: called newer, never lost
    expect(compareEventKeys(100, 100 - 2 ** 31)).toBe(1);
    expect(compareEventKeys(101 - 2 ** 31, 100)).toBe(-1);
  });
});

describe('judgeSequence / advanceSequence', () => {
  it('accepts the first event of a VM and newer keys; drops older and equal keys', () => {
    let state = advanceSequence(undefined, { instanceUuid: A, eventKey: 100 });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: 101 })).toEqual({
      stale: false,
      reason: 'newer',
    });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: 99 })).toEqual({
      stale: true,
      reason: 'older',
      lastKey: 100,
    });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: 100 })).toMatchObject({
      stale: true,
      reason: 'same-key',
    });
    state = advanceSequence(state, { instanceUuid: A, eventKey: 99 });
    expect(state.eventKey).toBe(100); // a stale event never moves the position backwards
  });

  it('starts a new sequence when the vCenter instance changes and drops late events of the retired one', () => {
    let state = advanceSequence(undefined, { instanceUuid: A, eventKey: 5000 });
    expect(judgeSequence(state, { instanceUuid: B, eventKey: 1 })).toEqual({
      stale: false,
      reason: 'new-instance',
    });
    state = advanceSequence(state, { instanceUuid: B, eventKey: 1 });
    expect(state).toEqual({ instanceUuid: B, eventKey: 1, retired: [A] });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: 5001 })).toMatchObject({
      stale: true,
      reason: 'retired-instance',
    });
    expect(judgeSequence(state, { instanceUuid: B, eventKey: 2 })).toMatchObject({ stale: false });
  });

  it('keeps accepting across the key wrap-around', () => {
    const state = advanceSequence(undefined, { instanceUuid: A, eventKey: MAX });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: MIN })).toMatchObject({
      stale: false,
      reason: 'newer',
    });
    expect(judgeSequence(state, { instanceUuid: A, eventKey: MAX - 1 })).toMatchObject({
      stale: true,
      reason: 'older',
    });
  });
});
