import { describe, expect, it } from 'vitest';
import { createProducer, isProducerError } from '../../src/index.js';
import { vmEventInput } from './fixtures.js';

describe('producer lifecycle (no broker)', () => {
  it('rejects publish before connect with an actionable error', async () => {
    const producer = createProducer({ brokers: ['127.0.0.1:1'] });
    const error = await producer.publish(vmEventInput()).catch((e: unknown) => e);
    expect(isProducerError(error, 'PRODUCER_NOT_CONNECTED')).toBe(true);
    expect((error as Error).message).toContain('connect()');
  });

  it('is closed after disconnect, which is idempotent and needs no connection', async () => {
    const producer = createProducer({ brokers: ['127.0.0.1:1'] });
    await Promise.all([producer.disconnect(), producer.disconnect(), producer[Symbol.asyncDispose]()]);
    for (const call of [
      () => producer.publish(vmEventInput()),
      () => producer.publishBatch([]),
      () => producer.connect(),
    ]) {
      await expect(call()).rejects.toSatisfy((e) => isProducerError(e, 'PRODUCER_CLOSED'));
    }
  });
});
