/** `vmware-events topics plan|apply`: the topic plan library, on the command line. */
import { parseArgs } from 'node:util';
import { isInvalidTopicPlanError } from '../errors.js';
import { applyTopicPlan, isTopicApplyError, planTopics } from '../topics/apply.js';
import { formatAppliedChange, formatTopicPlan, topicPlanToJson } from '../topics/format.js';
import { loadTopicPlan, parseTopicPlanText } from '../topics/load.js';
import type { TopicPlan } from '../topics/plan.js';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  createAdmin,
  isUnreachable,
  resolveConnection,
  unreachableMessage,
} from './connection.js';
import type { Connection } from './connection.js';
import { EXIT, UsageError } from './io.js';
import type { CommandIo } from './io.js';

/** Help of `vmware-events topics`. */
export const TOPICS_HELP = `Usage:
  vmware-events topics plan  --file <plan> [--json] [--check] [connection]
  vmware-events topics apply --file <plan> [--json] [connection]

plan   shows what apply would do to the cluster: + create, ~ change, = in sync, ! problem. The broker
       validates every change without making it, so plan reports what apply would fail on.
apply  makes those changes, then reads the cluster again until it matches the plan. It refuses to start,
       changing nothing, while the plan has problems; running it again changes nothing.
Neither ever deletes a topic, lowers a partition count or changes a replication factor; plan says why.

Options:
  -f, --file <path>  the topic plan: .json, or YAML (.yaml/.yml); - reads it from standard input
  --json             the result as JSON on stdout (progress goes to stderr)
  --check            plan only: exit 4 when apply would change something (a drift check for CI)
  -h, --help         this help

${CONNECTION_HELP}

The plan format and examples: docs/topics.md.
Exit codes: 0 done / nothing to change, 1 the plan has problems or apply failed, 2 usage or invalid plan,
3 the cluster cannot be reached, 4 (plan --check) changes to make.
`;

/** Runs `topics <plan|apply> …` and returns the exit code. */
export async function runTopicsCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string', short: 'f' },
      json: { type: 'boolean' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...CONNECTION_FLAGS,
    },
  });
  if (values.help) {
    io.stdout(TOPICS_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (action !== 'plan' && action !== 'apply') {
    throw new UsageError(
      action === undefined
        ? 'topics needs plan or apply'
        : `Unknown topics command '${action}': use plan or apply`,
    );
  }
  if (extra.length > 0)
    throw new UsageError(`Unexpected argument '${extra[0]}' (the plan file goes in --file)`);
  if (values.file === undefined)
    throw new UsageError(`topics ${action} needs --file <plan> (a .json or YAML topic plan)`);
  if (values.check && action === 'apply') throw new UsageError('--check is for topics plan');
  const connection = await resolveConnection(values, io.env);

  let plan: TopicPlan;
  try {
    plan =
      values.file === '-'
        ? parseTopicPlanText(await io.readStdin(), '<stdin>')
        : await loadTopicPlan(values.file);
  } catch (error) {
    if (!isInvalidTopicPlanError(error)) throw error;
    io.stderr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  return withCluster(connection, io, (admin) =>
    action === 'plan' ? runPlan(admin, plan, io, values) : runApply(admin, plan, io, values.json === true),
  );
}

type Admin = ReturnType<typeof createAdmin>;

async function runPlan(
  admin: Admin,
  plan: TopicPlan,
  io: CommandIo,
  flags: { json?: boolean; check?: boolean },
) {
  const result = await planTopics(admin, plan);
  io.stdout(flags.json ? `${JSON.stringify(topicPlanToJson(result), null, 2)}\n` : formatTopicPlan(result));
  if (result.hasProblems) return EXIT.failed;
  return flags.check && result.hasChanges ? EXIT.changesPending : EXIT.ok;
}

async function runApply(admin: Admin, plan: TopicPlan, io: CommandIo, json: boolean) {
  try {
    const result = await applyTopicPlan(admin, plan, {
      onChange: (change) => (json ? io.stderr : io.stdout)(`${formatAppliedChange(change)}\n`),
    });
    if (json) {
      io.stdout(
        `${JSON.stringify({ applied: result.applied, before: topicPlanToJson(result.before), after: topicPlanToJson(result.after) }, null, 2)}\n`,
      );
    } else {
      const n = result.applied.length;
      io.stdout(
        n === 0
          ? `Nothing to change: the cluster matches the plan (${result.after.entries.length} topics).\n`
          : `Applied ${n} change${n === 1 ? '' : 's'}; the cluster now matches the plan (${result.after.entries.length} topics).\n`,
      );
      const notes = result.after.entries.filter((e) => e.notes.length > 0);
      for (const entry of notes)
        for (const note of entry.notes) io.stdout(`  note: ${entry.topic.name}: ${note}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (!isTopicApplyError(error)) throw error;
    if (error.plan.hasProblems) (json ? io.stderr : io.stdout)(formatTopicPlan(error.plan));
    io.stderr(`error: ${error.message}\n`);
    return EXIT.failed;
  }
}

async function withCluster(connection: Connection, io: CommandIo, run: (admin: Admin) => Promise<number>) {
  const admin = createAdmin(connection);
  try {
    await admin.connect();
    return await run(admin);
  } catch (error) {
    if (!isUnreachable(error)) throw error;
    io.stderr(unreachableMessage(connection, error));
    return EXIT.unreachable;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
