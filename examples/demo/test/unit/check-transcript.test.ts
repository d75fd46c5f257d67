import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBridgePart, checkProducerConsumerPart, formatChecks } from '../../src/check-transcript.js';

// Real output of both demo parts, captured from `bash scripts/demo.sh` on a local broker and the simulator.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const part1 = fixture('part1.txt');
const part2 = fixture('part2.txt');

const failing = (checks: ReturnType<typeof checkProducerConsumerPart>) =>
  checks.filter((c) => !c.ok).map((c) => c.name);
const without = (text: string, pattern: RegExp) =>
  text
    .split('\n')
    .filter((line) => !pattern.test(line))
    .join('\n');

describe('demo transcript check', () => {
  it('passes the output of a real demo run', () => {
    const checks = [...checkProducerConsumerPart(part1), ...checkBridgePart(part2)];
    expect(failing(checks)).toEqual([]);
    expect(formatChecks(checks)).toMatchObject({ ok: true });
    expect(formatChecks(checks).text).toContain('demo check: 7 of 7 passed');
  });

  it('ignores terminal colours', () => {
    const coloured = part1
      .split('\n')
      .map((line) => (line.trim() === '' ? line : `\x1b[32m${line}\x1b[0m`))
      .join('\n');
    expect(failing(checkProducerConsumerPart(coloured))).toEqual([]);
  });

  it('fails "the duplicate" when the re-sent event was not dropped', () => {
    const text = without(part1, /↺ duplicate/);
    expect(failing(checkProducerConsumerPart(text))).toEqual(['the duplicate']);
  });

  it('fails "the stale event" when the late event was not discarded', () => {
    expect(failing(checkProducerConsumerPart(without(part1, /⏭ stale/)))).toEqual(['the stale event']);
  });

  it('fails "the dead letter" when the undecodable record went nowhere or for another reason', () => {
    expect(failing(checkProducerConsumerPart(without(part1, /dead-lettered/)))).toEqual(['the dead letter']);
    const otherReason = part1.replace('reason=DECODE_ERROR', 'reason=SCHEMA_VALIDATION');
    expect(failing(checkProducerConsumerPart(otherReason))).toEqual(['the dead letter']);
  });

  it('fails "events consumed" when an event is missing or arrives out of order', () => {
    expect(failing(checkProducerConsumerPart(without(part1, /✔ processed +resize +vm-\d+ /)))).toEqual([
      'events consumed',
    ]);
    const swapped = part1
      .replace(/✔ processed +power_on +(vm-\d+) \(/, '✔ processed     TMP $1 (')
      .replace(/✔ processed +power_off +(vm-\d+) \(/, '✔ processed     power_on  $1 (')
      .replace('✔ processed     TMP', '✔ processed     power_off');
    expect(failing(checkProducerConsumerPart(swapped))).toEqual(['events consumed']);
  });

  it('fails "events consumed" when the resized values did not arrive', () => {
    const text = part1.replace('cpu=4 memoryMB=8192 partition', 'cpu=2 memoryMB=4096 partition');
    expect(failing(checkProducerConsumerPart(text))).toEqual(['events consumed']);
  });

  it('fails "events produced" when a publish is missing', () => {
    expect(failing(checkProducerConsumerPart(without(part1, /→ re-sent/)))).toEqual(['events produced']);
  });

  it("fails the consumer's counters when they disagree with what was printed", () => {
    const text = part1.replace('"deadLettered":1', '"deadLettered":0');
    expect(failing(checkProducerConsumerPart(text))).toEqual(["the consumer's counters"]);
    expect(failing(checkProducerConsumerPart(without(part1, /^Done: /)))).toEqual([
      "the consumer's counters",
    ]);
  });

  it('fails everything on an empty transcript, and the summary says so', () => {
    const checks = [...checkProducerConsumerPart(''), ...checkBridgePart('')];
    expect(checks.every((c) => !c.ok)).toBe(true);
    expect(formatChecks(checks)).toMatchObject({ ok: false });
    expect(formatChecks(checks).text).toContain('demo check: 0 of 7 passed');
  });

  it('fails the bridge path when an operation did not reach the consumer', () => {
    const [check] = checkBridgePart(without(part2, /◀ consumer: resize/));
    expect(check).toMatchObject({ ok: false });
    expect(check!.detail).toContain('consumer saw create, power_on, power_off, delete');
  });

  it('fails the bridge path when the bridge reported errors or the demo failed', () => {
    expect(checkBridgePart(part2.replace(', 0 errors', ', 2 errors'))[0]).toMatchObject({ ok: false });
    expect(checkBridgePart(`${part2}\n✘ demo failed: no delete event within 20000 ms\n`)[0]).toMatchObject({
      ok: false,
    });
  });

  it('fails the bridge path when the bridge read another vCenter than the simulator', () => {
    const text = part2.replace(
      /bridge running: https:\/\/127\.0\.0\.1:\d+/,
      'bridge running: https://10.0.0.1:443',
    );
    expect(checkBridgePart(text)[0]).toMatchObject({ ok: false });
  });
});
