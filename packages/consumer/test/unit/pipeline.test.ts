import { describe, expect, it } from 'vitest';
import { buildEventKey } from '@org/vmware-events-schema';
import { FatalHandlerError, createTestPipeline } from '@org/vmware-events-consumer';
import { checkTenant } from '../../src/internal/pipeline.js';
import type { EventContext } from '@org/vmware-events-consumer';
import { makeEvent } from '../events.js';

const ok = () => undefined;

describe('pipeline (test harness, no broker)', () => {
  it('runs the handler with the validated event and context', async () => {
    const seen: EventContext[] = [];
    const pipeline = createTestPipeline({ handler: (ctx) => void seen.push(ctx) });
    const event = makeEvent({ vmId: 'vm-7' });
    expect(await pipeline.deliver({ event })).toMatchObject({
      kind: 'processed',
      eventId: event.eventId,
      attempts: 1,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.event.operationInfo.vmId).toBe('vm-7');
    expect(seen[0]!.key).toBe('vm-7');
    expect(seen[0]!.headers.tenant).toBe('tenantA');
  });

  it('handles a duplicate delivery once', async () => {
    let calls = 0;
    const pipeline = createTestPipeline({ handler: () => void (calls += 1) });
    const event = makeEvent();
    await pipeline.deliver({ event });
    expect(await pipeline.deliver({ event })).toEqual({ kind: 'duplicate', eventId: event.eventId });
    expect(calls).toBe(1);
  });

  it('filters on headers before parsing (an unparseable value is never read)', async () => {
    const pipeline = createTestPipeline({ handler: ok, filter: { tenants: ['tenantB'] } });
    const outcome = await pipeline.deliver({ value: 'not json', headers: { tenant: 'tenantA' } });
    expect(outcome).toEqual({ kind: 'filtered', field: 'tenant', value: 'tenantA' });
    expect(pipeline.deadLetters).toHaveLength(0);
    const ops = createTestPipeline({
      handler: ok,
      filter: { operations: ['create'], environments: ['DEV'] },
    });
    expect(await ops.deliver({ event: makeEvent() })).toMatchObject({
      kind: 'filtered',
      field: 'operation',
      value: 'power_on',
    });
  });

  it('dead-letters undecodable and invalid events at once, without calling the handler', async () => {
    let calls = 0;
    const pipeline = createTestPipeline({ handler: () => void (calls += 1) });
    expect(await pipeline.deliver({ value: '{oops' })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'DECODE_ERROR',
      attempts: 0,
    });
    const invalid = { ...makeEvent(), eventId: 'not-a-uuid' };
    expect(await pipeline.deliver({ event: invalid })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'SCHEMA_VALIDATION',
    });
    expect(await pipeline.deliver({ value: null })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'DECODE_ERROR',
    });
    expect(calls).toBe(0);
    expect(pipeline.deadLetters.map((d) => d.topic)).toEqual([
      'vmware.events.dlq',
      'vmware.events.dlq',
      'vmware.events.dlq',
    ]);
    expect(pipeline.deadLetters[0]!.record.value?.toString()).toBe('{oops');
  });

  it('accepts a newer minor version whose known fields are valid', async () => {
    const pipeline = createTestPipeline({ handler: ok });
    const event = { ...makeEvent(), schemaVersion: '1.7', newField: { anything: true } };
    expect(await pipeline.deliver({ event })).toMatchObject({ kind: 'processed' });
  });

  it('dead-letters an event whose tenant differs between header, key and payload', async () => {
    const pipeline = createTestPipeline({ handler: ok, keyStrategy: 'tenant.vmId' });
    const event = makeEvent({ tenantId: 'tenantA' });
    const byHeader = await pipeline.deliver({ event, headers: { tenant: 'tenantB' } });
    expect(byHeader).toMatchObject({ kind: 'dead-lettered', reason: 'TENANT_MISMATCH' });
    const byKey = await pipeline.deliver({ event: makeEvent({ tenantId: 'tenantA' }), key: 'tenantB.vm-42' });
    expect(byKey).toMatchObject({ kind: 'dead-lettered', reason: 'TENANT_MISMATCH' });
    expect(await pipeline.deliver({ event: makeEvent({ tenantId: 'tenantA' }) })).toMatchObject({
      kind: 'processed',
    });
  });

  it('checks hash keys against the payload', () => {
    const event = makeEvent({ tenantId: 'tenantA' });
    expect(checkTenant(event, {}, buildEventKey(event, 'hash'), 'hash')).toBeUndefined();
    const other = buildEventKey(makeEvent({ tenantId: 'tenantB' }), 'hash');
    expect(checkTenant(event, {}, other, 'hash')).toMatch(/hash key/);
  });

  it('discards an out-of-order event by vCenter key', async () => {
    const handled: number[] = [];
    const pipeline = createTestPipeline({
      handler: (ctx) => void handled.push(ctx.event.operationInfo.vcenter!.eventKey),
    });
    await pipeline.deliver({ event: makeEvent({ eventKey: 10 }) });
    await pipeline.deliver({ event: makeEvent({ eventKey: 12 }) });
    const late = await pipeline.deliver({ event: makeEvent({ eventKey: 11 }) });
    expect(late).toMatchObject({ kind: 'stale', eventKey: 11, lastKey: 12 });
    await pipeline.deliver({ event: makeEvent({ eventKey: 11, vmId: 'vm-other' }) }); // another VM: its own order
    expect(handled).toEqual([10, 12, 11]);
  });

  it('retries a failing handler with backoff and succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const pipeline = createTestPipeline({
      handler: () => {
        calls += 1;
        if (calls < 3) throw new Error('downstream busy');
      },
      retry: { maxAttempts: 5 },
    });
    pipeline.on('consumer:retry', ({ attempt }) => retries.push(attempt));
    expect(await pipeline.deliver({ event: makeEvent() })).toMatchObject({ kind: 'processed', attempts: 3 });
    expect(retries).toEqual([1, 2]);
  });

  it('dead-letters after the retry limit, with attempts, and lets a replay run again', async () => {
    let fail = true;
    const pipeline = createTestPipeline({
      handler: () => {
        if (fail) throw new Error('still down');
      },
      retry: { maxAttempts: 3 },
    });
    const event = makeEvent();
    expect(await pipeline.deliver({ event })).toMatchObject({
      kind: 'dead-lettered',
      reason: 'RETRIES_EXHAUSTED',
      attempts: 3,
    });
    const dl = pipeline.deadLetters[0]!.record.headers;
    expect((dl['x-dlt-attempts'] as Buffer).toString()).toBe('3');
    expect((dl['kafka_dlt-exception-message'] as Buffer).toString()).toBe('still down');
    fail = false;
    expect(await pipeline.deliver({ event })).toMatchObject({ kind: 'processed' }); // the claim was released
  });

  it('does not retry fatal errors (FatalHandlerError and programmer errors)', async () => {
    for (const error of [new FatalHandlerError('unknown VM'), new TypeError('x is undefined')]) {
      let calls = 0;
      const pipeline = createTestPipeline({
        handler: () => {
          calls += 1;
          throw error;
        },
        retry: { maxAttempts: 5 },
      });
      expect(await pipeline.deliver({ event: makeEvent() })).toMatchObject({
        kind: 'dead-lettered',
        reason: 'HANDLER_FATAL',
        attempts: 1,
      });
      expect(calls).toBe(1);
    }
  });

  it('uses a custom fatal classifier', async () => {
    let calls = 0;
    const pipeline = createTestPipeline({
      handler: () => {
        calls += 1;
        throw new Error('409 conflict');
      },
      isFatal: (error) => error instanceof Error && error.message.startsWith('409'),
    });
    expect(await pipeline.deliver({ event: makeEvent() })).toMatchObject({ reason: 'HANDLER_FATAL' });
    expect(calls).toBe(1);
  });
});
