import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/index.js';
import { murmur2 } from '../../src/internal/partitioner.js';
import { KAFKA_SH, connectedProducer, consume, createTopic, execFileAsync, vmEvent } from './helpers.js';

const JAVA_SOURCE = fileURLToPath(new URL('../java/PartitionVectors.java', import.meta.url));
const COUNTS = [1, 3, 7, 12, 50, 100];

interface JavaOutput {
  client: string;
  vectors: Array<{ keyHex: string; murmur2: number; partitions: Record<string, number> }>;
}

let classpath = '';
let classes = '';

/** Runs the Java program (kafka-clients' own Utils.murmur2 / BuiltInPartitioner.partitionForKey). */
async function javaVectors(keys: string[]): Promise<JavaOutput> {
  const args = keys.map((k) => Buffer.from(k, 'utf8').toString('hex'));
  const { stdout } = await execFileAsync(
    'java',
    ['-cp', `${classes}:${classpath}/*`, 'PartitionVectors', ...args],
    {
      maxBuffer: 32 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as JavaOutput;
}

function randomKey(): string {
  const alphabet = [
    'a',
    'Z',
    '9',
    '.',
    '-',
    'é',
    'ß',
    '日',
    '本',
    '語',
    '🚀',
    '🎉',
    'ж',
    '中',
    ' ',
    '\u00a0',
    '\u{1F600}',
  ];
  const length = randomInt(0, 40);
  let key = '';
  for (let i = 0; i < length; i++) key += alphabet[randomInt(alphabet.length)];
  return key;
}

beforeAll(async () => {
  classpath = (await execFileAsync('bash', [KAFKA_SH, 'classpath'])).stdout.trim();
  classes = await mkdtemp(join(tmpdir(), 'partition-vectors-'));
  await execFileAsync('javac', ['-cp', `${classpath}/*`, '-d', classes, JAVA_SOURCE]);
  return () => rm(classes, { recursive: true, force: true });
}, 120_000);

describe('partitioning matches the Java client (kafka-clients run in a JVM)', () => {
  it('agrees on random ASCII, non-ASCII, emoji and binary-looking keys for partition counts 1..100', async () => {
    const keys = [
      'vm-12345',
      'DEV.tenantA.vm-12345',
      'café',
      '日本',
      '🚀',
      ...Array.from({ length: 300 }, randomKey),
      ...Array.from({ length: 20 }, () => randomBytes(randomInt(1, 30)).toString('base64')),
    ];
    const java = await javaVectors(keys);
    expect(java.client).toMatch(/^kafka-clients /);
    expect(java.vectors).toHaveLength(keys.length);
    java.vectors.forEach((vector, i) => {
      const key = keys[i]!;
      expect(vector.keyHex).toBe(Buffer.from(key, 'utf8').toString('hex'));
      expect(murmur2(Buffer.from(key, 'utf8')), `murmur2(${JSON.stringify(key)})`).toBe(vector.murmur2);
      for (const count of COUNTS) {
        expect(partitionForKey(key, count), `${JSON.stringify(key)} % ${count}`).toBe(
          vector.partitions[String(count)],
        );
      }
    });
  });

  it('writes every event to the partition the Java client would choose for its key', async () => {
    const topic = await createTopic({ partitions: 7 });
    const producer = await connectedProducer({ topic: { name: topic } });
    const vmIds = [
      'vm-1',
      'vm-42',
      'vm-é',
      'vm-日本',
      'vm-🚀',
      ...Array.from({ length: 25 }, (_, i) => `vm-${i * 7919}`),
    ];
    const java = await javaVectors(vmIds);
    const results = await producer.publishBatch(vmIds.map((vmId) => vmEvent({ vmId })));
    const records = await consume(topic, vmIds.length);
    expect(records).toHaveLength(vmIds.length);
    vmIds.forEach((vmId, i) => {
      const expected = java.vectors[i]!.partitions['7'];
      expect(results[i]!.partition, vmId).toBe(expected);
      expect(records.find((r) => r.key === vmId)!.partition, vmId).toBe(expected);
    });
  });
});
