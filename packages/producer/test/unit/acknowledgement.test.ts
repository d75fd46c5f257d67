import { describe, expect, it } from 'vitest';
import {
  acknowledgedBaseOffset,
  acknowledgedPartitions,
  recordOffsets,
} from '../../src/internal/acknowledgement.js';
import type { PartitionAnswer } from '../../src/internal/acknowledgement.js';

const T = 'vmware.events';
const ok = (partition: number, baseOffset: string, topicName = T): PartitionAnswer => ({
  topicName,
  partition,
  errorCode: 0,
  baseOffset,
});

describe('result builder: offsets only from what the broker acknowledged', () => {
  it('gives no offset to the records of a partition the answer lacks, and counts up from the base for the others', () => {
    // Sent: partitions 0, 1, 2, 0, 2, 1 — the answer (as kafkajs 2.2.4 returns it after a leader moved) names 0 and 2.
    const answer = [ok(0, '40'), ok(2, '7')];
    const offsets = recordOffsets([0, 1, 2, 0, 2, 1], acknowledgedPartitions(T, answer));
    expect(offsets).toEqual(['40', undefined, '7', '41', '8', undefined]);
  });

  it('gives no offset at all for an empty answer (never a count up from -1)', () => {
    expect(recordOffsets([3, 3, 3], acknowledgedPartitions(T, []))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('does not take an entry with an error code, without a real offset, or of another topic as an acknowledgement', () => {
    const answer: PartitionAnswer[] = [
      { topicName: T, partition: 0, errorCode: 6, baseOffset: '12' },
      { topicName: T, partition: 1, errorCode: 0, baseOffset: '-1' },
      { topicName: T, partition: 2, errorCode: 0 },
      ok(3, '5', 'other.topic'),
      { topicName: T, partition: 4, errorCode: 0, baseOffset: '' },
    ];
    const acknowledged = acknowledgedPartitions(T, answer);
    expect([...acknowledged]).toEqual([]);
    for (const partition of [0, 1, 2, 3, 4])
      expect(acknowledgedBaseOffset(T, partition, answer)).toBeUndefined();
  });

  it('takes the first acknowledgement of a partition named twice, and ignores partitions that were not sent', () => {
    const answer = [ok(1, '100'), ok(5, '9'), ok(1, '300')];
    expect(acknowledgedBaseOffset(T, 1, answer)).toBe('100');
    expect(recordOffsets([1, 1], acknowledgedPartitions(T, answer))).toEqual(['100', '101']);
  });

  it('gives a record whose partition is unknown no offset', () => {
    expect(acknowledgedBaseOffset(T, undefined, [ok(0, '1')])).toBeUndefined();
    expect(recordOffsets([undefined, 0], acknowledgedPartitions(T, [ok(0, '1')]))).toEqual([undefined, '1']);
  });

  it('counts exactly beyond 2^53', () => {
    const base = 9_007_199_254_740_991n;
    const offsets = recordOffsets([0, 0, 0], acknowledgedPartitions(T, [ok(0, String(base))]));
    expect(offsets).toEqual([base, base + 1n, base + 2n].map(String));
  });
});
