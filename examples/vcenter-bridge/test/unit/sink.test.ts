import { describe, expect, it } from 'vitest';
import type { RecordMetadata } from 'kafkajs';
import { unacknowledgedPartitions } from '../../src/sink.js';

const ok = (partition: number, baseOffset = '10', topicName = 'raw'): RecordMetadata => ({
  topicName,
  partition,
  errorCode: 0,
  baseOffset,
});

describe('unacknowledgedPartitions (the raw path of the sink)', () => {
  it('is empty when every partition sent to is acknowledged', () => {
    expect(unacknowledgedPartitions('raw', [0, 2, 2, 1], [ok(1), ok(0), ok(2)])).toEqual([]);
  });

  it('names a partition the answer leaves out (kafkajs resolving a send with part of the answers)', () => {
    expect(unacknowledgedPartitions('raw', [3, 0, 5, 3], [ok(0)])).toEqual([3, 5]);
  });

  it('does not take an error code, a -1 offset or another topic as an acknowledgement', () => {
    const answer: RecordMetadata[] = [
      { topicName: 'raw', partition: 0, errorCode: 6 },
      ok(1, '-1'),
      ok(2, '7', 'other'),
      ok(3, '0'),
    ];
    expect(unacknowledgedPartitions('raw', [0, 1, 2, 3], answer)).toEqual([0, 1, 2]);
  });
});
