/**
 * What `bash scripts/demo.sh --check` verifies: the demo's printed output (its two parts, saved as transcripts)
 * shows every outcome a new user is promised. Pure functions over text, so the check itself is unit-tested.
 *
 * Part 1 (examples/demo/src/main.ts): the lifecycle events produced and consumed in order, the duplicate, the stale
 * event, the dead letter, and the consumer's own counters agreeing. Part 2 (examples/vcenter-bridge/src/demo.ts):
 * the simulator → bridge → consumer path for create, power on, resize, power off and delete, with no errors.
 * When a demo's output changes on purpose, change the patterns here with it: the check names what it missed.
 */

/** One verdict of the check. */
export interface DemoCheck {
  /** What was checked, e.g. `the duplicate`. */
  name: string;
  ok: boolean;
  /** What was found, or what is missing. */
  detail: string;
}

const LIFECYCLE = ['create', 'power_on', 'resize', 'power_off', 'delete'] as const;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

const lines = (text: string): string[] =>
  text
    .replace(ANSI, '')
    .split('\n')
    .map((line) => line.trimEnd());

const matching = (all: string[], pattern: RegExp): RegExpExecArray[] =>
  all.map((line) => pattern.exec(line)).filter((m): m is RegExpExecArray => m !== null);

const check = (name: string, ok: boolean, detail: string): DemoCheck => ({ name, ok, detail });

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** Checks the transcript of part 1: producer and consumer on the local broker. */
export function checkProducerConsumerPart(text: string): DemoCheck[] {
  const all = lines(text);
  const results: DemoCheck[] = [];

  const published = matching(all, /^→ published {7}(\S+)\s+(vm-\d+) key=(\S+) partition=(\d+)$/);
  const vm = published[0]?.[2];
  const publishedOps = published.map((m) => m[1]!);
  const vcenter = matching(
    all,
    /^→ (published|re-sent|published late)\s+(power_on|power_off)\s+(vm-\d+-vc) vCenter key (\d+)/,
  );
  const poison = all.filter((line) => line === '→ published       a record that is not valid JSON');
  results.push(
    check(
      'events produced',
      vm !== undefined &&
        sameList(publishedOps, LIFECYCLE) &&
        published.every((m) => m[2] === vm && m[3] === vm) &&
        sameList(
          vcenter.map((m) => `${m[1]} ${m[2]} ${m[4]}`),
          [
            'published power_on 100',
            're-sent power_on 100',
            'published power_off 120',
            'published late power_on 110',
          ],
        ) &&
        vcenter.every((m) => m[3] === `${vm}-vc`) &&
        poison.length === 1,
      `${published.length} lifecycle events (${publishedOps.join(', ') || 'none'}) keyed by ${vm ?? '?'}, ` +
        `${vcenter.length} from vCenter, ${poison.length} undecodable record`,
    ),
  );

  const processed = matching(
    all,
    /^ {2}✔ processed {5}(\S+)\s+(vm-\d+(?:-vc)?) \(([^)]+)\)(.*) partition=\d+ offset=\d+$/,
  );
  const ofVm = processed.filter((m) => m[2] === vm);
  const ofVcenterVm = processed.filter((m) => m[2] === `${vm}-vc`);
  const createData = ofVm.find((m) => m[1] === 'create')?.[4]?.trim();
  const resizeData = ofVm.find((m) => m[1] === 'resize')?.[4]?.trim();
  results.push(
    check(
      'events consumed',
      sameList(
        ofVm.map((m) => m[1]!),
        LIFECYCLE,
      ) &&
        createData === 'cpu=2 memoryMB=4096' &&
        resizeData === 'cpu=4 memoryMB=8192' &&
        sameList(
          ofVcenterVm.map((m) => m[1]!),
          ['power_on', 'power_off'],
        ) &&
        processed.length === ofVm.length + ofVcenterVm.length,
      `${processed.length} processed: ${vm ?? '?'} ${ofVm.map((m) => m[1]).join(', ') || 'none'}` +
        ` (create ${createData ?? '?'}, resize ${resizeData ?? '?'}); ${vm ?? '?'}-vc ${ofVcenterVm.map((m) => m[1]).join(', ') || 'none'}`,
    ),
  );

  const duplicates = matching(all, /^ {2}↺ duplicate {5}event ([0-9a-f-]{36}) dropped: already processed$/);
  results.push(
    check(
      'the duplicate',
      duplicates.length === 1,
      duplicates.length === 1
        ? `the re-sent event ${duplicates[0]![1]} was dropped`
        : `${duplicates.length} duplicate lines (expected 1)`,
    ),
  );

  const stale = matching(all, /^ {2}⏭ stale {9}vCenter key (\d+) < (\d+) for (\S+): discarded$/);
  results.push(
    check(
      'the stale event',
      stale.length === 1 &&
        stale[0]![1] === '110' &&
        stale[0]![2] === '120' &&
        stale[0]![3]!.endsWith(`|${vm}-vc`),
      stale.length === 1
        ? `vCenter key ${stale[0]![1]} < ${stale[0]![2]} for ${stale[0]![3]} discarded`
        : `${stale.length} stale lines (expected 1)`,
    ),
  );

  const topic = /^Consumer joined; publishing VM lifecycle events to (\S+) on /.exec(
    all.find((l) => l.startsWith('Consumer joined')) ?? '',
  )?.[1];
  const deadLetters = matching(all, /^ {2}✖ dead-lettered reason=(\S+) → (\S+) \(offset \d+\)$/);
  results.push(
    check(
      'the dead letter',
      deadLetters.length === 1 &&
        deadLetters[0]![1] === 'DECODE_ERROR' &&
        topic !== undefined &&
        deadLetters[0]![2] === `${topic}.dlq`,
      deadLetters.length === 1
        ? `reason ${deadLetters[0]![1]} → ${deadLetters[0]![2]} (consumed from ${topic ?? '?'})`
        : `${deadLetters.length} dead-letter lines (expected 1)`,
    ),
  );

  const done = all.find((line) => line.startsWith('Done: '));
  let metrics: Record<string, unknown> | undefined;
  try {
    metrics =
      done === undefined ? undefined : (JSON.parse(done.slice('Done: '.length)) as Record<string, unknown>);
  } catch {
    metrics = undefined;
  }
  const expected = { processed: 7, duplicate: 1, stale: 1, deadLettered: 1 };
  results.push(
    check(
      "the consumer's counters",
      metrics !== undefined && Object.entries(expected).every(([key, value]) => metrics[key] === value),
      metrics === undefined
        ? 'no "Done: {…}" line with the consumer metrics'
        : Object.keys(expected)
            .map((key) => `${key}=${String(metrics[key])}`)
            .join(' ') +
            ` (expected ${Object.entries(expected)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')})`,
    ),
  );
  return results;
}

/** Checks the transcript of part 2: vCenter simulator → bridge → Kafka → consumer. */
export function checkBridgePart(text: string): DemoCheck[] {
  const all = lines(text);
  const simulator = matching(all, /^ {2}vCenter API at (https:\/\/\S+)/)[0]?.[1];
  const bridge = matching(all, /^▶ bridge running: (\S+) → Kafka (\S+) topic (\S+);/)[0];
  const consumed = matching(
    all,
    /^ {2}◀ consumer: (\S+)\s+key=(\S+) vm=demo-vm(.*?) {2}\(vCenter (\w+) #(\d+), eventId [0-9a-f-]{36}\)$/,
  );
  const ops = consumed.map((m) => m[1]!);
  const keys = consumed.map((m) => Number(m[5]));
  const data = (op: string) => consumed.find((m) => m[1] === op)?.[3]?.trim();
  const complete = matching(
    all,
    /^✔ demo complete: (\d+) vCenter events read, (\d+) canonical \+ (\d+) raw published, (\d+) errors$/,
  )[0];
  const failed = all.find((line) => line.startsWith('✘ demo failed'));
  const ok =
    simulator !== undefined &&
    bridge !== undefined &&
    bridge[1] === simulator &&
    sameList(ops, LIFECYCLE) &&
    new Set(consumed.map((m) => m[2])).size === 1 &&
    keys.every((key, i) => i === 0 || key > keys[i - 1]!) &&
    data('create') === 'cpu=2 memoryMB=2048 storageGB=10' &&
    data('resize') === 'cpu=4 memoryMB=8192 storageGB=10' &&
    complete !== undefined &&
    Number(complete[2]) >= LIFECYCLE.length &&
    complete[4] === '0' &&
    failed === undefined;
  const detail = [
    simulator === undefined ? 'no simulator address' : `simulator ${simulator}`,
    bridge === undefined ? 'no "bridge running" line' : `bridge → topic ${bridge[3]}`,
    `consumer saw ${ops.join(', ') || 'nothing'} for demo-vm (vCenter keys ${keys.join(', ') || '-'})`,
    complete === undefined
      ? 'no "demo complete" line'
      : `${complete[1]} read, ${complete[2]} canonical + ${complete[3]} raw published, ${complete[4]} errors`,
    ...(failed === undefined ? [] : [failed]),
  ].join('; ');
  return [check('simulator → bridge → consumer', ok, detail)];
}

/** Formats the verdicts, one line each, and a closing line; `ok` is true when every check passed. */
export function formatChecks(checks: readonly DemoCheck[]): { ok: boolean; text: string } {
  const passed = checks.filter((c) => c.ok).length;
  const text = [
    ...checks.map((c) => `  ${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`),
    `demo check: ${passed} of ${checks.length} passed`,
  ].join('\n');
  return { ok: passed === checks.length && checks.length > 0, text: `${text}\n` };
}
