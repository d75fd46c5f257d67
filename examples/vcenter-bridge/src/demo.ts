/**
 * The whole path on one machine: a vCenter simulator, the bridge, and the SDK consumer printing canonical
 * events as they arrive while the demo performs VM operations with govc.
 *
 *   bash scripts/kafka.sh start                      # the broker (the lead's demo does this)
 *   pnpm --filter vcenter-bridge demo                # or: pnpm exec tsx examples/vcenter-bridge/src/demo.ts
 *
 * Environment: KAFKA_BROKERS (default 127.0.0.1:9092), VCSIM_BIN / GOVC_BIN (default: scripts/vcsim.sh path).
 * Exits 0 when every expected event was printed, 1 otherwise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { createConsumer } from '@org/vmware-events-consumer';
import { createBridge } from './bridge.js';
import { parseConfig } from './config.js';
import { createJsonLogger } from './logger.js';
import { startSimulator } from './vcsim.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const topic = `demo.vmware.events.${randomUUID().slice(0, 8)}`;
  const checkpointDir = await mkdtemp(join(tmpdir(), 'bridge-demo-'));
  out(`▶ starting the vCenter simulator (govmomi vcsim)`);
  const sim = await startSimulator();
  out(`  vCenter API at ${sim.endpoint} (self-signed TLS, accepted because VCENTER_INSECURE=true)`);
  // Whatever fails below, the simulator process and the checkpoint folder never outlive the demo.
  try {
    return await runDemo(sim, brokers, topic, checkpointDir);
  } finally {
    await sim.stop();
    await rm(checkpointDir, { recursive: true, force: true });
  }
}

async function runDemo(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  brokers: string,
  topic: string,
  checkpointDir: string,
): Promise<number> {
  const kafka = new kafkajs.Kafka({
    clientId: 'bridge-demo',
    brokers: brokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic, numPartitions: 3 },
      { topic: `${topic}.raw`, numPartitions: 1 },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ],
    waitForLeaders: true,
  });

  const config = parseConfig({
    VCENTER_URLS: sim.url,
    VCENTER_INSECURE: 'true',
    KAFKA_BROKERS: brokers,
    BRIDGE_ENVIRONMENT: 'DEV',
    BRIDGE_TENANT_ID: 'demo',
    BRIDGE_TOPIC: topic,
    BRIDGE_CHECKPOINT_DIR: checkpointDir,
    BRIDGE_START_FROM: 'now',
    BRIDGE_HEALTH_PORT: '0',
    BRIDGE_POLL_INTERVAL_MS: '200',
  });
  const bridge = createBridge(config, { logger: createJsonLogger('warn', (l) => process.stderr.write(l)) });
  await bridge.start();
  out(`▶ bridge running: ${sim.endpoint} → Kafka ${brokers} topic ${topic}; health ${bridge.healthUrl}`);

  // The team side: the SDK consumer (validation, dedup by event id, stale discard by vCenter key) printing events.
  const seen: string[] = [];
  const consumer = createConsumer({
    kafka,
    groupId: `bridge-demo-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    handler: ({ event, key }) => {
      const info = event.operationInfo;
      const data = event.vmData
        ? ` cpu=${event.vmData.cpu} memoryMB=${event.vmData.memoryMB} storageGB=${event.vmData.storageGB}`
        : '';
      out(
        `  ◀ consumer: ${info.operation.padEnd(9)} key=${key} vm=${info.vmName ?? '?'}${data}  (vCenter ${info.vcenter?.eventType} #${info.vcenter?.eventKey}, eventId ${event.eventId})`,
      );
      if (info.vmName === 'demo-vm') seen.push(info.operation);
    },
  });
  await consumer.start();

  const waitFor = async (operation: string, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!seen.includes(operation)) {
      if (Date.now() > deadline) throw new Error(`no ${operation} event within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const step = async (label: string, operation: string, ...args: string[]) => {
    out(`▶ govc ${args.join(' ')}   # ${label}`);
    await sim.govc(...args);
    await waitFor(operation);
  };

  let code = 0;
  try {
    await step(
      'create a VM',
      'create',
      'vm.create',
      '-host',
      'DC0_H0',
      '-net',
      'VM Network',
      '-on=false',
      '-c',
      '2',
      '-m',
      '2048',
      '-disk',
      '10GB',
      'demo-vm',
    );
    await step('power it on', 'power_on', 'vm.power', '-on', 'demo-vm');
    await step('resize it', 'resize', 'vm.change', '-vm', 'demo-vm', '-c', '4', '-m', '8192');
    await step('power it off', 'power_off', 'vm.power', '-off', 'demo-vm');
    await step('destroy it', 'delete', 'vm.destroy', 'demo-vm');
    const stats = bridge.stats()[sim.endpoint]!;
    out(
      `✔ demo complete: ${stats.read} vCenter events read, ${stats.published} canonical + ${stats.publishedRaw} raw published, ${stats.errors} errors`,
    );
  } catch (error) {
    out(`✘ demo failed: ${error instanceof Error ? error.message : String(error)}`);
    code = 1;
  } finally {
    await consumer.close().catch(() => undefined);
    await bridge.stop();
    await admin.deleteTopics({ topics: [topic, `${topic}.raw`, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    out(`✘ demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
