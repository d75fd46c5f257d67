import { describe, expect, it } from 'vitest';
import { createMemoryEventStore } from '@org/vmware-events-consumer';
import type { VmwEventsConsumer } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { makeEvent } from '../events.js';
import { createEventProducer, createTopic, randomUUID, startConsumer, waitFor } from './helpers.js';

describe('three consumers in one group', () => {
  it('keep per-VM order and handle every event exactly once across rebalances', async () => {
    const { topic } = await createTopic(6);
    const producer = await createEventProducer();
    const VMS = 12;
    const PER_VM = 30;
    const groupId = `test-${randomUUID()}`;
    // One shared store stands for the shared Redis the instances of a service would use.
    const store = createMemoryEventStore();
    const handled = new Map<string, number[]>();
    const handler = async ({ event }: { event: VmOperationEvent }) => {
      const list = handled.get(event.operationInfo.vmId) ?? [];
      list.push(event.operationInfo.vcenter!.eventKey);
      handled.set(event.operationInfo.vmId, list);
      await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const publish = async (from: number, to: number) => {
      for (let key = from; key < to; key += 1) {
        await producer.publishBatch(
          Array.from(
            { length: VMS },
            (_, vm) => makeEvent({ vmId: `vm-${vm}`, eventKey: key }) as VmOperationEvent,
          ),
          { topic },
        );
      }
    };
    const total = () => [...handled.values()].reduce((sum, list) => sum + list.length, 0);
    const options = { groupId, topics: [topic], store, handler, concurrency: { partitions: 3 } };

    await publish(0, 10);
    const first: VmwEventsConsumer = await startConsumer(options);
    await waitFor('some progress', () => total() > 20);
    const second = await startConsumer(options); // rebalance 1
    let rejoins = 0;
    second.on('consumer:group-join', () => (rejoins += 1));
    await publish(10, 20);
    await startConsumer({ ...options, concurrency: { partitions: 2, keysPerPartition: 4 } }); // rebalance 2
    await waitFor('more progress', () => total() > VMS * 12);
    await first.close(); // rebalance 3: its partitions move to the others mid-stream
    await publish(20, PER_VM);
    await waitFor('every event handled', () => total() >= VMS * PER_VM, 45_000);

    for (let vm = 0; vm < VMS; vm += 1) {
      expect(handled.get(`vm-${vm}`), `vm-${vm}`).toEqual(Array.from({ length: PER_VM }, (_, i) => i));
    }
    expect(total()).toBe(VMS * PER_VM);
    expect(rejoins).toBeGreaterThanOrEqual(2); // the second member saw the third join and the first leave
  }, 90_000);
});
