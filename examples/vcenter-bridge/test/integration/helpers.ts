/**
 * Integration helpers: a private vcsim per test (127.0.0.1, random port), govc, and a Kafka reader.
 * Every helper registers its own cleanup with onTestFinished.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { onTestFinished } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = new URL('../../../../', import.meta.url).pathname;

export const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

function goBin(name: 'vcsim' | 'govc'): string {
  const script = join(ROOT, 'scripts/vcsim.sh');
  if (existsSync(script)) {
    const out = spawnSync('bash', [script, 'path'], { encoding: 'utf8' });
    const line = out.stdout.split('\n').find((l) => l.trim().endsWith(`/${name}`) || l.includes(`${name}=`));
    const candidate = line?.split('=').pop()?.trim();
    if (out.status === 0 && candidate && existsSync(candidate)) return candidate;
  }
  const cache =
    process.env.VMW_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vmware-events-sdk');
  const bin = join(cache, 'go/bin', name);
  if (!existsSync(bin)) throw new Error(`${name} not found; run 'bash scripts/vcsim.sh install'`);
  return bin;
}

/** A running simulator. */
export interface Vcsim {
  /** SDK URL with credentials (GOVC_URL form). */
  readonly url: string;
  /** SDK URL without credentials. */
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Run govc against this simulator. */
  govc(...args: string[]): Promise<string>;
  kill(): Promise<void>;
}

/** Start vcsim on 127.0.0.1 (random port unless given), parse the printed GOVC_URL; stopped when the test ends. */
export async function startVcsim(port = 0): Promise<Vcsim> {
  const child = spawn(goBin('vcsim'), ['-l', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const kill = async () => {
    if (exited) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  onTestFinished(kill);
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`vcsim printed no GOVC_URL: ${buf}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /GOVC_URL=(\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`vcsim exited with ${code}: ${buf}`)));
  });
  const parsed = new URL(url);
  const endpoint = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const govcBin = goBin('govc');
  return {
    url,
    endpoint,
    port: Number(parsed.port),
    process: child,
    kill,
    async govc(...args) {
      const { stdout } = await execFileAsync(govcBin, args, {
        env: { ...process.env, GOVC_URL: url, GOVC_INSECURE: '1' },
      });
      return stdout;
    },
  };
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
  const kafka = new Kafka({ clientId: 'bridge-test-admin', brokers: BROKERS, logLevel: logLevel.NOTHING });
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
export async function collect(topics: string[]): Promise<{
  records: ReadRecord[];
  waitFor(pred: (r: ReadRecord[]) => boolean, timeoutMs?: number): Promise<ReadRecord[]>;
}> {
  const kafka = new Kafka({ clientId: 'bridge-test-reader', brokers: BROKERS, logLevel: logLevel.NOTHING });
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
