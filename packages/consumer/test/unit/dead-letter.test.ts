import { describe, expect, it } from 'vitest';
import {
  ConsumerError,
  DLT_HEADERS,
  buildDeadLetterRecord,
  readDeadLetterInfo,
  stripDeadLetterHeaders,
} from '@org/vmware-events-consumer';
import type { RawRecord } from '@org/vmware-events-consumer';

const record: RawRecord = {
  topic: 'vmware.events',
  partition: 3,
  offset: '9007199254740993', // beyond 2^53: offsets are 64-bit
  key: Buffer.from('vm-1'),
  value: Buffer.from([0xff, 0x00, 0x7b]), // undecodable bytes are kept as they are
  headers: { tenant: Buffer.from('tenantA'), 'x-dlt-reason': Buffer.from('OLD') },
  timestamp: '1767225600000',
};

describe('dead-letter records', () => {
  it('keeps key, value and headers and adds Spring-compatible binary headers', () => {
    const error = new ConsumerError('CONSUMER_TENANT_MISMATCH', 'Tenant mismatch', {
      cause: new TypeError('x'),
    });
    const out = buildDeadLetterRecord({
      record,
      reason: 'TENANT_MISMATCH',
      error,
      attempts: 0,
      groupId: 'g1',
    });
    expect(out.key).toEqual(record.key);
    expect(out.value).toEqual(record.value);
    expect(out.headers.tenant).toEqual(Buffer.from('tenantA'));
    const partition = out.headers[DLT_HEADERS.originalPartition] as Buffer;
    const offset = out.headers[DLT_HEADERS.originalOffset] as Buffer;
    expect(partition).toHaveLength(4);
    expect(partition.readInt32BE()).toBe(3);
    expect(offset).toHaveLength(8);
    expect(offset.readBigInt64BE()).toBe(9007199254740993n);
    expect((out.headers[DLT_HEADERS.exceptionFqcn] as Buffer).toString()).toBe('ConsumerError');
    expect((out.headers[DLT_HEADERS.exceptionCauseFqcn] as Buffer).toString()).toBe('TypeError');

    const info = readDeadLetterInfo(out.headers);
    expect(info).toMatchObject({
      reason: 'TENANT_MISMATCH', // the stale x-dlt-reason of an earlier trip was replaced
      attempts: 0,
      errorCode: 'CONSUMER_TENANT_MISMATCH',
      message: 'Tenant mismatch',
      original: {
        topic: 'vmware.events',
        partition: 3,
        offset: '9007199254740993',
        timestamp: '1767225600000',
        consumerGroup: 'g1',
      },
    });
    expect(Object.keys(stripDeadLetterHeaders(out.headers))).toEqual(['tenant']);
  });
});
