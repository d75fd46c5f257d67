/**
 * The example of docs/testing.md, run as it is printed there: a team tests a service that publishes and a service
 * that consumes, without a broker, with the SDK's test doubles.
 */
import { describe, expect, it } from 'vitest';
import type { EventProducer } from '@org/vmware-events-producer';
import { createInMemoryProducer } from '@org/vmware-events-producer/testing';
import { FatalHandlerError } from '@org/vmware-events-consumer';
import type { EventHandler } from '@org/vmware-events-consumer';
import { createTestPipeline, trackHandled } from '@org/vmware-events-consumer/testing';

// --- the team's code (in a real service this lives in src/) ---

/** Provisioning: powers a VM on, then tells everyone. */
async function powerOn(producer: EventProducer, vm: { id: string; name: string; tenant: string }) {
  // … the vSphere call would go here …
  return producer.publish({
    operationInfo: {
      operation: 'power_on',
      vmId: vm.id,
      vmName: vm.name,
      username: 'svc-provisioning',
      environment: 'prod',
      tenantId: vm.tenant,
    },
  });
}

/** Billing: starts a meter for each VM powered on; refuses tenants it does not know. */
function billingHandler(meters: Map<string, string>, tenants: ReadonlySet<string>): EventHandler {
  return ({ event }) => {
    const { operation, vmId, tenantId } = event.operationInfo;
    if (!tenants.has(tenantId)) throw new FatalHandlerError(`unknown tenant ${tenantId}`);
    if (operation === 'power_on') meters.set(vmId, tenantId);
  };
}

// --- the tests ---

describe('provisioning publishes a power_on event', () => {
  it('with the key, topic and headers the real producer would write', async () => {
    const producer = createInMemoryProducer({ source: 'urn:vmware-events:service:provisioning' });
    await producer.connect();

    const { eventId } = await powerOn(producer, { id: 'vm-42', name: 'web-01', tenant: 'acme' });

    const record = await producer.waitForPublished(eventId);
    expect(record).toMatchObject({ topic: 'vmware.events', key: 'vm-42' });
    expect(record.headers).toMatchObject({ tenant: 'acme', ce_type: 'com.vmware.events.vm.power_on.v1' });
    expect(record.event).toMatchObject({ operationInfo: { operation: 'power_on', vmName: 'web-01' } });
  });

  it('fails the way production would for an invalid event', async () => {
    const producer = createInMemoryProducer({ source: 'urn:vmware-events:service:provisioning' });
    await producer.connect();
    await expect(powerOn(producer, { id: 'vm-42', name: 'web-01', tenant: 'not a tenant!' })).rejects.toThrow(
      '/operationInfo/tenantId',
    );
    expect(producer.published).toEqual([]);
  });
});

describe('billing handles what provisioning publishes', () => {
  it('starts a meter, and dead-letters an unknown tenant', async () => {
    const meters = new Map<string, string>();
    const billing = createTestPipeline({ handler: billingHandler(meters, new Set(['acme'])) });
    const handled = trackHandled(billing);
    // Wire the two services together: every record published goes through billing's consumer pipeline.
    const producer = createInMemoryProducer({ source: 'urn:vmware-events:service:provisioning' });
    producer.onPublish((record) => billing.deliver(record));
    await producer.connect();

    const ok = await powerOn(producer, { id: 'vm-42', name: 'web-01', tenant: 'acme' });
    const unknown = await powerOn(producer, { id: 'vm-43', name: 'web-02', tenant: 'globex' });

    expect(await handled.waitFor(ok.eventId)).toMatchObject({ kind: 'processed', attempts: 1 });
    expect(await handled.waitFor(unknown.eventId)).toMatchObject({
      kind: 'dead-lettered',
      reason: 'HANDLER_FATAL',
    });
    expect(meters).toEqual(new Map([['vm-42', 'acme']]));
    expect(billing.deadLetters[0]!.record.key?.toString()).toBe('vm-43');
    await producer.disconnect(); // waits for the deliveries, and fails if one threw
  });
});
