/**
 * The README demo: VM lifecycle events published with @org/vmware-events-producer and processed with
 * @org/vmware-events-consumer on a local broker, printed on the terminal as they arrive. It also shows what the
 * consumer protects a team from: a re-sent event (dropped as a duplicate), a late event with an older vCenter key
 * (discarded as stale) and an undecodable record (parked on the dead-letter topic, the partition moves on).
 *
 *   bash scripts/demo.sh            (starts the broker and runs this)
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { createConsumer } from '@org/vmware-events-consumer';
import { createProducer } from '@org/vmware-events-producer';
import type { VmOperationEventInput } from '@org/vmware-events-producer';
import { CANONICAL_TOPIC, deadLetterTopic } from '@org/vmware-events-schema';
import type { VmOperationEvent } from '@org/vmware-events-schema';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = process.env.DEMO_TOPIC ?? CANONICAL_TOPIC;
const color = (code: number, text: string) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);

async function ensureTopics(): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [topic, deadLetterTopic(topic)].filter((name) => !existing.has(name));
    if (wanted.length > 0) {
      await admin.createTopics({
        topics: wanted.map((name) => ({ topic: name, numPartitions: 3 })),
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

function vmEvent(
  operation: VmOperationEventInput['operationInfo']['operation'],
  vmId: string,
  extra: Partial<VmOperationEventInput> = {},
): VmOperationEventInput {
  return {
    operationInfo: { operation, vmId, username: 'demo-operator', environment: 'DEV', tenantId: 'tenantA' },
    ...(operation === 'create' || operation === 'resize'
      ? {
          vmData: {
            cpu: operation === 'create' ? 2 : 4,
            memoryMB: operation === 'create' ? 4096 : 8192,
            storageGB: 60,
          },
        }
      : {}),
    ...extra,
  } as VmOperationEventInput;
}

function describe(event: VmOperationEvent): string {
  const info = event.operationInfo;
  const data = event.vmData ? ` cpu=${event.vmData.cpu} memoryMB=${event.vmData.memoryMB}` : '';
  return `${info.operation.padEnd(9)} ${info.vmId} (${info.tenantId}/${info.environment})${data}`;
}

async function main(): Promise<void> {
  await ensureTopics();
  const producer = createProducer({ brokers, source: 'urn:vmware-events:demo', lingerMs: 5 });
  let seen = 0;
  const consumer = createConsumer({
    kafka: { brokers, logLevel: kafkajs.logLevel.NOTHING },
    groupId: `demo-${randomUUID()}`,
    topics: [topic],
    handler: ({ event, record }) => {
      console.log(
        color(
          32,
          `  ✔ processed     ${describe(event)} partition=${record.partition} offset=${record.offset}`,
        ),
      );
    },
  });
  // Every outcome arrives through the consumer's typed events.
  const unsubscribe = [
    consumer.on('consumer:processed', () => void seen++),
    consumer.on('consumer:duplicate', (e) => {
      seen++;
      console.log(color(33, `  ↺ duplicate     event ${e.eventId} dropped: already processed`));
    }),
    consumer.on('consumer:stale', (e) => {
      seen++;
      console.log(
        color(33, `  ⏭ stale         vCenter key ${e.eventKey} < ${e.lastKey} for ${e.scope}: discarded`),
      );
    }),
    consumer.on('consumer:dead-letter', (e) => {
      seen++;
      console.log(
        color(31, `  ✖ dead-lettered reason=${e.reason} → ${e.deadLetterTopic} (offset ${e.offset})`),
      );
    }),
  ];

  await Promise.all([producer.connect(), consumer.start()]);
  console.log(`Consumer joined; publishing VM lifecycle events to ${topic} on ${brokers.join(',')}\n`);

  const vm = `vm-${Math.floor(Math.random() * 9000 + 1000)}`;
  const lifecycle = (['create', 'power_on', 'resize', 'power_off', 'delete'] as const).map((operation) =>
    vmEvent(operation, vm),
  );
  for (const event of lifecycle) {
    const result = await producer.publish(event);
    console.log(
      color(
        36,
        `→ published       ${event.operationInfo.operation.padEnd(9)} ${vm} key=${vm} partition=${result.partition}`,
      ),
    );
  }

  // Events from vCenter carry its event key: the bridge derives the id from (vCenter, key), so a re-send keeps it.
  const instanceUuid = randomUUID();
  const fromVcenter = (operation: 'power_on' | 'power_off', eventKey: number): VmOperationEventInput =>
    vmEvent(operation, `${vm}-vc`, {
      source: 'https://vcenter.demo.local/sdk',
      operationInfo: {
        ...vmEvent(operation, `${vm}-vc`).operationInfo,
        vcenter: {
          instanceUuid,
          eventKey,
          eventType: operation === 'power_on' ? 'VmPoweredOnEvent' : 'VmPoweredOffEvent',
          createdTime: new Date().toISOString(),
        },
      },
    } as Partial<VmOperationEventInput>);
  await producer.publish(fromVcenter('power_on', 100), { identity: [instanceUuid, 100] });
  console.log(color(36, `→ published       power_on  ${vm}-vc vCenter key 100`));
  await producer.publish(fromVcenter('power_on', 100), { identity: [instanceUuid, 100] });
  console.log(color(36, `→ re-sent         power_on  ${vm}-vc vCenter key 100 (same event id)`));
  await producer.publish(fromVcenter('power_off', 120), { identity: [instanceUuid, 120] });
  console.log(color(36, `→ published       power_off ${vm}-vc vCenter key 120`));
  await producer.publish(fromVcenter('power_on', 110), { identity: [instanceUuid, 110] });
  console.log(color(36, `→ published late  power_on  ${vm}-vc vCenter key 110 (older than 120)`));

  // A broken producer elsewhere writes bytes that are not an event at all.
  const raw = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
  await raw.connect();
  await raw.send({ topic, messages: [{ key: `${vm}-vc`, value: '{"operationInfo": ' }] });
  await raw.disconnect();
  console.log(color(36, `→ published       a record that is not valid JSON`));

  const expected = lifecycle.length + 4 + 1; // 5 lifecycle, 4 from vCenter, 1 poison
  const deadline = Date.now() + 60_000;
  while (seen < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

  await producer.disconnect();
  await consumer.close();
  for (const off of unsubscribe) off();
  const metrics = consumer.metrics();
  console.log(`\nDone: ${JSON.stringify(metrics)}`);
  if (seen < expected) {
    console.error(`Only ${seen} of ${expected} records were processed within 60 s.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
