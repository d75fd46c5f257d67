import { mkdtemp, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FileCheckpointStore, isKeyAfter } from '../../src/checkpoint.js';
import { parseConfig } from '../../src/config.js';

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bridge-cp-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('isKeyAfter', () => {
  it('orders keys, including across the int32 wrap to negative', () => {
    expect(isKeyAfter(11, 10)).toBe(true);
    expect(isKeyAfter(10, 10)).toBe(false);
    expect(isKeyAfter(9, 10)).toBe(false);
    expect(isKeyAfter(-2147483648, 2147483647)).toBe(true);
    expect(isKeyAfter(-2147483600, 2147483000)).toBe(true);
    expect(isKeyAfter(2147483000, -2147483600)).toBe(false);
    expect(isKeyAfter(-1, -2)).toBe(true);
    expect(isKeyAfter(0, -1)).toBe(true);
  });
  it('calls a key up to 2^31 ahead after (a long idle stretch of a vCenter is not a replay)', () => {
    expect(isKeyAfter(2 ** 30 + 5, 0)).toBe(true);
    expect(isKeyAfter(100 + 2 ** 31, 100)).toBe(true); // exactly half the space: after, never skipped
    expect(isKeyAfter(101 - 2 ** 31, 100)).toBe(false);
  });
});

describe('FileCheckpointStore', () => {
  it('round-trips a checkpoint per vCenter and leaves no temp file', async () => {
    const dir = await tempDir();
    const store = new FileCheckpointStore(dir);
    expect(await store.load('https://a/sdk')).toBeUndefined();
    await store.save('https://a/sdk', { instanceUuid: 'u1', lastEventKey: 5, lastCreatedTime: 't5' });
    await store.save('https://b/sdk', { instanceUuid: 'u2', lastEventKey: 7, lastCreatedTime: 't7' });
    await store.save('https://a/sdk', { instanceUuid: 'u1', lastEventKey: 6, lastCreatedTime: 't6' });
    expect(await store.load('https://a/sdk')).toEqual({
      instanceUuid: 'u1',
      lastEventKey: 6,
      lastCreatedTime: 't6',
    });
    expect(await store.load('https://b/sdk')).toEqual({
      instanceUuid: 'u2',
      lastEventKey: 7,
      lastCreatedTime: 't7',
    });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removes temp files left by a crash mid-write and keeps the last complete checkpoint', async () => {
    const dir = await tempDir();
    await new FileCheckpointStore(dir).save('https://a/sdk', {
      instanceUuid: 'u1',
      lastEventKey: 5,
      lastCreatedTime: 't5',
    });
    const file = new FileCheckpointStore(dir).pathOf('https://a/sdk');
    await writeFile(`${file}.abc.tmp`, '{"instanceUuid": "u1", "lastEv'); // a write cut short
    const store = new FileCheckpointStore(dir);
    expect(await store.load('https://a/sdk')).toEqual({
      instanceUuid: 'u1',
      lastEventKey: 5,
      lastCreatedTime: 't5',
    });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a broken checkpoint file with BRIDGE_CHECKPOINT naming it', async () => {
    const dir = await tempDir();
    const store = new FileCheckpointStore(dir);
    await writeFile(store.pathOf('https://a/sdk'), '{not json');
    await expect(store.load('https://a/sdk')).rejects.toMatchObject({
      code: 'BRIDGE_CHECKPOINT',
      message: expect.stringContaining('checkpoint-'),
    });
  });
});

describe('parseConfig', () => {
  const ok = {
    VCENTER_URLS: 'https://u:s3cret@vc01.example.com/sdk',
    BRIDGE_ENVIRONMENT: 'DEV',
    BRIDGE_TENANT_ID: 't1',
  };

  it('parses credentials from the URL and strips them from the vCenter id', () => {
    const config = parseConfig(ok);
    expect(config.vcenters).toEqual([
      { url: 'https://vc01.example.com/sdk', username: 'u', password: 's3cret' },
    ]);
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.unmapped).toBe('raw');
  });

  it('reads several vCenters with shared credentials', () => {
    const config = parseConfig({
      ...ok,
      VCENTER_URLS: 'https://a/sdk, https://b',
      VCENTER_USERNAME: 'x',
      VCENTER_PASSWORD: 'y',
    });
    expect(config.vcenters.map((v) => v.url)).toEqual(['https://a/sdk', 'https://b/sdk']);
  });

  it.each([
    [{ BRIDGE_PAGE_SIZE: '5000' }, 'BRIDGE_PAGE_SIZE'],
    [{ BRIDGE_PAGE_SIZE: 'ten' }, 'BRIDGE_PAGE_SIZE'],
    [{ VCENTER_INSECURE: 'maybe' }, 'VCENTER_INSECURE'],
    [{ BRIDGE_UNMAPPED: 'drop' }, 'BRIDGE_UNMAPPED'],
    [{ BRIDGE_ENVIRONMENT: 'has space' }, 'BRIDGE_ENVIRONMENT'],
    [{ KAFKA_BROKERS: 'nohostport' }, 'KAFKA_BROKERS'],
    [{ BRIDGE_START_FROM: 'yesterday' }, 'BRIDGE_START_FROM'],
    [{ BRIDGE_RAW_TOPIC: 'vmware.events' }, 'BRIDGE_RAW_TOPIC'],
    [{ VCENTER_URLS: 'https://vc01/sdk' }, 'VCENTER_PASSWORD'],
    [{ VCENTER_URLS: 'ftp://u:s3cret@vc01/sdk' }, 'VCENTER_URLS'],
  ])('stops on a wrong value and names it: %j', (patch, variable) => {
    let error: unknown;
    try {
      parseConfig({ ...ok, ...patch });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'BRIDGE_INVALID_CONFIG',
      message: expect.stringContaining(variable),
    });
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('names a missing required variable', () => {
    expect(() => parseConfig({ VCENTER_URLS: 'https://u:p@a/sdk' })).toThrow(
      /BRIDGE_ENVIRONMENT[\s\S]*BRIDGE_TENANT_ID/,
    );
  });
});

describe('history reset detection', () => {
  it('tells a replay (same or earlier time) from a restarted key space (later time)', async () => {
    const { isHistoryReset, compareCreatedTime } = await import('../../src/worker.js');
    const position = {
      instanceUuid: 'u',
      lastEventKey: 40,
      lastCreatedTime: '2026-01-01T00:00:00.123456789Z',
    };
    expect(isHistoryReset({ key: 40, createdTime: position.lastCreatedTime }, position)).toBe(false);
    expect(isHistoryReset({ key: 39, createdTime: '2026-01-01T00:00:00.123456789Z' }, position)).toBe(false);
    expect(isHistoryReset({ key: 3, createdTime: '2026-01-01T00:00:00.123456790Z' }, position)).toBe(true);
    expect(isHistoryReset({ key: 3, createdTime: '2026-01-01T00:00:05Z' }, position)).toBe(true);
    expect(compareCreatedTime('2026-01-01T00:00:00.123457Z', '2026-01-01T00:00:00.123456789Z')).toBe(1);
    expect(compareCreatedTime('2026-01-01T00:00:00.1Z', '2026-01-01T00:00:00.100000000Z')).toBe(0);
  });
});
