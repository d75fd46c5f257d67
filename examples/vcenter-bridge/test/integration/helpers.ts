/**
 * Integration helpers: a private vcsim per test (127.0.0.1, random port), govc, and a Kafka reader.
 * Every helper registers its own cleanup with onTestFinished.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { onTestFinished } from 'vitest';
import { startSimulator } from '../../src/vcsim.js';
import type { Simulator } from '../../src/vcsim.js';
import { VsphereClient } from '../../src/soap/client.js';
import { parseVcenterEvent } from '../../src/vcenter-event.js';
import type { VcenterEvent } from '../../src/vcenter-event.js';

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** A running simulator, stopped when the test ends. */
export type Vcsim = Simulator;

/** Start a private vcsim on 127.0.0.1 (random port unless given); stopped when the test ends. */
export async function startVcsim(port = 0): Promise<Vcsim> {
  const sim = await startSimulator(port);
  onTestFinished(() => sim.stop());
  return sim;
}

/** A record read back from Kafka. */
export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly headers: Record<string, string>;
  readonly value: Record<string, unknown>;
}

/** A fresh topic name, deleted when the test ends. */
export async function freshTopics(...names: string[]): Promise<string[]> {
  return freshTopicsOn(BROKERS, ...names);
}

/** {@link freshTopics} on other brokers (the three-node cluster: its default replication factor is 3). */
export async function freshTopicsOn(brokers: readonly string[], ...names: string[]): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'bridge-test-admin',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = names.map((n) => `test-${n}-${randomUUID()}`);
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  onTestFinished(async () => {
    const a = kafka.admin();
    await a.connect();
    await a.deleteTopics({ topics }).catch(() => undefined);
    await a.disconnect();
  });
  return topics;
}

/** Collects every record of `topics` from the beginning, in the background; stopped when the test ends. */
export async function collect(
  topics: string[],
  brokers: readonly string[] = BROKERS,
): Promise<{
  records: ReadRecord[];
  waitFor(pred: (r: ReadRecord[]) => boolean, timeoutMs?: number): Promise<ReadRecord[]>;
}> {
  const kafka = new Kafka({
    clientId: 'bridge-test-reader',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const records: ReadRecord[] = [];
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {}))
        headers[k] = String(Array.isArray(v) ? v[0] : v);
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        headers,
        value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
      });
      return Promise.resolve();
    },
  });
  onTestFinished(() => consumer.disconnect());
  return {
    records,
    async waitFor(pred, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(records)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for records (have ${records.length})`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return records;
    },
  };
}

/** Poll `fn` until it returns a truthy value. */
export async function waitUntil<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** vCenter's own event history (the truth the bridge must reproduce), read with a separate session. */
export async function readHistory(sim: Vcsim): Promise<{ instanceUuid: string; events: VcenterEvent[] }> {
  const client = new VsphereClient({
    url: sim.url,
    username: 'user',
    password: 'pass',
    insecure: true,
    requestTimeoutMs: 10_000,
  });
  try {
    await client.login();
    const collector = await client.createCollectorForEvents({});
    const events: VcenterEvent[] = [];
    for (;;) {
      const page = await client.readNextEvents(collector, 1000);
      if (page.length === 0) break;
      events.push(...page.map(parseVcenterEvent));
    }
    await client.destroyCollector(collector);
    await client.logout();
    return { instanceUuid: client.content!.instanceUuid, events };
  } finally {
    client.close();
  }
}

const BRIDGE_DIR = new URL('../../', import.meta.url).pathname;

/** Runs the bridge as a child process (tsx src/main.ts) with these environment variables; killed when the test ends. */
export function startBridgeProcess(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: BRIDGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => out };
}

/**
 * Post events into the simulator's history with the vSphere API's `EventManager.PostEvent` (vcsim stores any event
 * class it is given, with its own key, chainId, createdTime and userName). `events` are `<eventToPost>` bodies
 * without those four fields, e.g. `<vm><name>x</name><vm type="VirtualMachine">vm-58</vm></vm>`, keyed by class.
 * Tests use it for what a real vCenter logs and the simulator does not (HA, guest reboots, tasks, snapshots).
 */
export async function postEvents(
  sim: Vcsim,
  events: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  const { request } = await import('node:https');
  const url = new URL(sim.endpoint);
  const user = new URL(sim.url);
  let cookie: string | undefined;
  const call = (body: string) =>
    new Promise<string>((resolve, reject) => {
      const payload = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
      const req = request(
        url,
        {
          method: 'POST',
          rejectUnauthorized: false,
          headers: {
            'Content-Type': 'text/xml; charset="utf-8"',
            SOAPAction: '"urn:vim25/8.0"',
            ...(cookie ? { Cookie: cookie } : {}),
          },
        },
        (res) => {
          const set = res.headers['set-cookie']?.[0];
          if (set) cookie = set.split(';', 1)[0];
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if ((res.statusCode ?? 500) >= 400) reject(new Error(`PostEvent failed: ${text.slice(0, 500)}`));
            else resolve(text);
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  await call(
    `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${decodeURIComponent(user.username)}</userName><password>${decodeURIComponent(user.password)}</password></Login>`,
  );
  for (const [cls, body] of events) {
    await call(
      `<PostEvent xmlns="urn:vim25"><_this type="EventManager">EventManager</_this><eventToPost xsi:type="${cls}"><key>0</key><chainId>0</chainId><createdTime>1970-01-01T00:00:00Z</createdTime><userName></userName>${body}</eventToPost></PostEvent>`,
    );
  }
  await call('<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>');
}

/** `<vm>` of an event for the simulator's VM called `name`. */
export async function vmArgument(sim: Vcsim, name: string): Promise<{ moref: string; xml: string }> {
  const info = JSON.parse(await sim.govc('vm.info', '-json', name)) as {
    virtualMachines: Array<{ self: { value: string } }>;
  };
  const moref = info.virtualMachines[0]!.self.value;
  return { moref, xml: `<vm><name>${name}</name><vm type="VirtualMachine">${moref}</vm></vm>` };
}
