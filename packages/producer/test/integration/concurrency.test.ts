import { describe, expect, it } from 'vitest';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { connectedProducer, consume, createTopic, vmEvent } from './helpers.js';

describe('idempotent publishing under concurrent calls', () => {
  it('delivers 3000 concurrent publishes exactly once each, in call order per VM', async () => {
    const topic = await createTopic({ partitions: 6 });
    const producer = await connectedProducer({
      topic: { name: topic },
      lingerMs: 1,
      batchSizeBytes: 64 * 1024,
    });
    const vms = Array.from({ length: 40 }, (_, i) => `vm-${i}`);
    const total = 3000;
    const sent = await Promise.all(
      Array.from({ length: total }, (_, seq) =>
        producer.publish(vmEvent({ vmId: vms[seq % vms.length]!, notes: String(seq) })),
      ),
    );
    expect(new Set(sent.map((r) => r.eventId)).size).toBe(total);
    expect(new Set(sent.map((r) => `${r.partition}/${r.offset}`)).size).toBe(total);

    const records = await consume(topic, total, { timeoutMs: 60_000 });
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.headers.eventId!, (counts.get(r.headers.eventId!) ?? 0) + 1);
    expect(records).toHaveLength(total);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    // Per VM, offsets grow with the order of the publish calls.
    const byVm = new Map<string, number[]>();
    for (const r of records.sort((a, b) => Number(a.offset) - Number(b.offset))) {
      const event = JSON.parse(r.value!) as VmOperationEvent;
      const list = byVm.get(r.key!) ?? [];
      list.push(Number(event.operationInfo.notes));
      byVm.set(r.key!, list);
    }
    for (const seqs of byVm.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Reported offsets are the real ones.
    for (const r of sent.slice(0, 50)) {
      const record = records.find((x) => x.headers.eventId === r.eventId)!;
      expect(`${record.partition}/${record.offset}`).toBe(`${r.partition}/${r.offset}`);
    }
  });
});
