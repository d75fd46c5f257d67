import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listDeadLetters, replayDeadLetters, REPLAYED_FROM_HEADER } from '@org/vmware-events-consumer';
import type { VmOperationEvent } from '@org/vmware-events-schema';
import { main } from '../../src/cli.js';
import { makeEvent } from '../events.js';
import {
  brokers,
  createEventProducer,
  createRawProducer,
  createTopic,
  randomUUID,
  startConsumer,
  waitFor,
} from './helpers.js';

const sink = () => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
};

describe('dead-letter tooling', () => {
  it('lists by reason and replays to the original topic, where a fixed handler processes the event', async () => {
    const { topic, dlq } = await createTopic(1);
    const producer = await createEventProducer();
    const raw = await createRawProducer();
    const flaky = makeEvent({ vmId: 'vm-5' });
    await raw.send({ topic, messages: [{ key: 'vm-5', value: 'garbage' }] });
    await producer.publish(flaky as VmOperationEvent, { topic });

    let downstreamUp = false;
    const handled: string[] = [];
    const replayedFrom: string[] = [];
    const consumer = await startConsumer({
      groupId: `test-${randomUUID()}`,
      topics: [topic],
      retry: { maxAttempts: 2, initialDelayMs: 10 },
      handler: ({ event, headers }) => {
        if (!downstreamUp) throw new Error('inventory service unavailable');
        handled.push(event.eventId);
        replayedFrom.push(headers[REPLAYED_FROM_HEADER] ?? '');
      },
    });
    await waitFor('2 dead-lettered', () => consumer.metrics().deadLettered === 2);

    const all = await listDeadLetters({ kafka: { brokers }, topic: dlq });
    expect(all.map((e) => e.info.reason)).toEqual(['DECODE_ERROR', 'RETRIES_EXHAUSTED']);
    const exhausted = await listDeadLetters({
      kafka: { brokers },
      topic: dlq,
      reasons: ['RETRIES_EXHAUSTED'],
    });
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({
      eventId: flaky.eventId,
      key: 'vm-5',
      info: { attempts: 2, original: { topic, offset: '1' } },
    });
    expect(
      await listDeadLetters({ kafka: { brokers }, topic: dlq, since: new Date(Date.now() + 60_000) }),
    ).toEqual([]);

    const progress: number[] = [];
    const dry = await replayDeadLetters({
      kafka: { brokers },
      topic: dlq,
      reasons: ['RETRIES_EXHAUSTED'],
      dryRun: true,
      onProgress: (p) => progress.push(p.scanned),
    });
    expect(dry).toMatchObject({ matched: 1, replayed: 0, total: 2 });
    expect(progress.at(-1)).toBe(2);
    expect(handled).toEqual([]);

    downstreamUp = true;
    const replay = await replayDeadLetters({
      kafka: { brokers },
      topic: dlq,
      reasons: ['RETRIES_EXHAUSTED'],
    });
    expect(replay).toMatchObject({ matched: 1, replayed: 1 });
    await waitFor('replayed event handled', () => handled.length === 1);
    expect(handled).toEqual([flaky.eventId]);
    expect(replayedFrom).toEqual([`${dlq}/0@1`]);
  });

  it('the CLI lists (in-process) and replays as a command (dry run) with progress on stderr', async () => {
    const { topic, dlq } = await createTopic(1);
    const raw = await createRawProducer();
    await raw.send({
      topic: dlq,
      messages: [
        {
          key: 'vm-1',
          value: 'x',
          headers: { 'x-dlt-reason': 'DECODE_ERROR', 'kafka_dlt-original-topic': topic },
        },
        {
          key: 'vm-2',
          value: 'y',
          headers: { 'x-dlt-reason': 'HANDLER_FATAL', 'kafka_dlt-original-topic': topic },
        },
      ],
    });
    const out = sink();
    const err = sink();
    const code = await main(
      ['list', '--brokers', brokers.join(','), '--topic', dlq, '--reason', 'HANDLER_FATAL', '--json'],
      out.stream,
      err.stream,
    );
    expect(code).toBe(0);
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; reason: string });
    expect(lines).toMatchObject([{ key: 'vm-2', reason: 'HANDLER_FATAL' }]);
    expect(err.text()).toMatch(/scanned 2\/2, matched 1/);

    expect(
      await main(
        ['list', '--topic', dlq, '--brokers', brokers.join(','), '--since', 'yesterday'],
        out.stream,
        err.stream,
      ),
    ).toBe(2);
    expect(err.text()).toMatch(/--since 'yesterday' is not an ISO 8601 date-time/);

    const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const result = await promisify(execFile)(tsx, [
      cli,
      'replay',
      '--brokers',
      brokers.join(','),
      '--topic',
      dlq,
      '--dry-run',
    ]);
    expect(result.stdout).toMatch(/would replay .*DECODE_ERROR/);
    expect(result.stdout).toMatch(/would replay .*HANDLER_FATAL/);
    expect(result.stderr).toMatch(/dry run: 2 matched, 0 replayed/);
  });
});
