import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kafkaConfig, producerConnection, resolveConnection } from '../../src/cli/connection.js';
import { createProgressBar } from '../../src/cli/progress.js';
import type { CommandIo } from '../../src/cli/io.js';

const configFile = async (value: unknown) => {
  const dir = await mkdtemp(join(tmpdir(), 'vmw-config-'));
  const path = join(dir, 'kafka.json');
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

describe('connection settings: flag, then config file, then environment, then default', () => {
  it('takes each setting from the first place that has it', async () => {
    const env = { KAFKA_BROKERS: 'env-1:9092,env-2:9092' };
    const config = await configFile({ brokers: ['file-1:9092'], clientId: 'from-file' });
    expect(await resolveConnection({}, env)).toEqual({
      brokers: ['env-1:9092', 'env-2:9092'],
      clientId: 'vmware-events-cli',
      brokersFrom: 'KAFKA_BROKERS',
    });
    expect(await resolveConnection({ config }, env)).toEqual({
      brokers: ['file-1:9092'],
      clientId: 'from-file',
      brokersFrom: `"brokers" in ${config}`,
    });
    expect(await resolveConnection({ config, brokers: 'flag:9092', 'client-id': 'from-flag' }, env)).toEqual({
      brokers: ['flag:9092'],
      clientId: 'from-flag',
      brokersFrom: '--brokers',
    });
    const commaSeparated = await configFile({ brokers: 'a:1, b:2' });
    expect((await resolveConnection({ config: commaSeparated }, {})).brokers).toEqual(['a:1', 'b:2']);
  });

  it('names what is wrong and where it was set', async () => {
    await expect(resolveConnection({}, {})).rejects.toThrow('--brokers is required');
    await expect(resolveConnection({ brokers: 'localhost' }, {})).rejects.toThrow(
      '--brokers must list host:port pairs separated by commas; not one: localhost',
    );
    const bad = await configFile({ brokers: ['kafka'] });
    await expect(resolveConnection({ config: bad }, {})).rejects.toThrow(
      `"brokers" in ${bad} must list host:port`,
    );
    const typo = await configFile({ broker: 'a:1', sasl: {} });
    await expect(resolveConnection({ config: typo }, {})).rejects.toThrow(
      /the config file .* is invalid:\n {2}- Unrecognized keys: "broker", "sasl"/,
    );
    const notJson = await configFile('{');
    await expect(resolveConnection({ config: notJson }, {})).rejects.toThrow(/is not JSON/);
    await expect(resolveConnection({ config: '/nonexistent/kafka.json' }, {})).rejects.toThrow(
      'cannot read the config file /nonexistent/kafka.json: file not found',
    );
  });

  it('configures every client from the one connection, failing within seconds', async () => {
    const connection = await resolveConnection({ brokers: 'a:1' }, {});
    expect(kafkaConfig(connection)).toMatchObject({
      brokers: ['a:1'],
      clientId: 'vmware-events-cli',
      connectionTimeout: 3000,
    });
    expect(producerConnection(connection)).toEqual({
      brokers: ['a:1'],
      clientId: 'vmware-events-cli',
      connectionTimeoutMs: 3000,
      retry: { retries: 3, initialRetryTimeMs: 300 },
    });
  });
});

describe('progress bar', () => {
  const io = (tty: boolean) => {
    const written: string[] = [];
    const value: CommandIo = {
      stdout: () => undefined,
      stderr: (text) => void written.push(text),
      readStdin: () => Promise.resolve(''),
      stdinIsTty: false,
      stderrIsTty: tty,
      env: {},
    };
    return { value, written };
  };

  it('redraws one line on a terminal and ends it with a newline', () => {
    const { value, written } = io(true);
    const bar = createProgressBar(value, 'scanning');
    bar.update(1, 4, '· 1 matched');
    bar.update(4, 4, '· 2 matched');
    bar.done();
    expect(written).toEqual([
      `\r\x1b[Kscanning ${'█'.repeat(6)}${'░'.repeat(18)} 25% 1/4 · 1 matched`,
      `\r\x1b[Kscanning ${'█'.repeat(24)} 100% 4/4 · 2 matched`,
      '\n',
    ]);
  });

  it('draws nothing when stderr is not a terminal', () => {
    const { value, written } = io(false);
    const bar = createProgressBar(value, 'scanning');
    bar.update(1, 4, '');
    bar.done();
    expect(written).toEqual([]);
  });
});
