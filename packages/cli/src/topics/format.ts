/**
 * A plan result for people (aligned text, one line per topic, `+` create, `~` change, `=` in sync, `!` problem)
 * and for programs (plain JSON).
 */
import type { AppliedChange } from './apply.js';
import { describeAction } from './apply.js';
import type { TopicAction, TopicPlanEntry, TopicPlanResult } from './diff.js';
import { TYPED_CONFIG_NAMES, describeDuration } from './settings.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function showValue(name: string, value: string | null): string {
  if (value === null) return '(hidden)';
  if (name === TYPED_CONFIG_NAMES.retentionMs || name.endsWith('.ms')) {
    const human = /^-?\d+$/.test(value) ? describeDuration(Number(value)) : undefined;
    return human === undefined ? value : `${value} (${human})`;
  }
  return value;
}

function actionLines(action: TopicAction): string[] {
  switch (action.type) {
    case 'create':
      return [
        `create: ${plural(action.partitions, 'partition')}, replication factor ${action.replicationFactor}`,
        ...Object.entries(action.configs)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => `  ${name}=${showValue(name, value)}`),
      ];
    case 'add-partitions':
      return [`partitions ${action.from} → ${action.to}`];
    case 'alter-configs':
      return action.changes.map((c) => `${c.name} ${showValue(c.name, c.from)} → ${showValue(c.name, c.to)}`);
  }
}

function marker(entry: TopicPlanEntry): string {
  if (entry.problems.length > 0) return '!';
  return entry.status === 'create' ? '+' : entry.status === 'change' ? '~' : '=';
}

/** The plan as text: a summary line, then each topic with what apply would do, notes and problems. */
export function formatTopicPlan(result: TopicPlanResult): string {
  const { counts } = result;
  const width = Math.min(60, Math.max(0, ...result.entries.map((e) => e.topic.name.length)));
  const lines = [
    `Topic plan: ${plural(result.entries.length, 'topic')} against a cluster of ${plural(result.brokers, 'broker')}: ` +
      `${counts.create} to create, ${counts.change} to change, ${counts.inSync} in sync` +
      (counts.problems > 0 ? `, ${plural(counts.problems, 'topic')} with problems` : ''),
    '',
  ];
  const indent = ' '.repeat(width + 4);
  for (const entry of result.entries) {
    const body = entry.actions.length === 0 ? ['in sync'] : entry.actions.flatMap(actionLines);
    lines.push(`${marker(entry)} ${entry.topic.name.padEnd(width)}  ${body[0]}`);
    for (const line of body.slice(1)) lines.push(`${indent}${line}`);
    for (const note of entry.notes) lines.push(`${indent}note: ${note}`);
    for (const problem of entry.problems) lines.push(`${indent}problem: ${problem}`);
  }
  if (result.unmanaged.length > 0) {
    lines.push(
      '',
      `Not in the plan, left alone (apply never deletes a topic): ${result.unmanaged.join(', ')}`,
    );
  }
  lines.push(
    '',
    result.hasProblems
      ? 'apply would refuse to run until the problems are fixed.'
      : result.hasChanges
        ? `apply would make ${plural(
            result.entries.reduce((n, e) => n + e.actions.length, 0),
            'change',
          )}.`
        : 'The cluster matches the plan.',
  );
  return `${lines.join('\n')}\n`;
}

/** One line for a change apply made. */
export function formatAppliedChange(change: AppliedChange): string {
  const what = describeAction(change.action);
  return change.done
    ? `✔ ${change.topic}: ${what}`
    : `• ${change.topic}: already existed (created meanwhile); re-checked`;
}

/** The plan as plain JSON data (`--json`). */
export function topicPlanToJson(result: TopicPlanResult) {
  return {
    brokers: result.brokers,
    counts: result.counts,
    hasChanges: result.hasChanges,
    hasProblems: result.hasProblems,
    topics: result.entries.map((entry) => ({
      name: entry.topic.name,
      kind: entry.topic.kind,
      ...(entry.topic.parent === undefined ? {} : { parent: entry.topic.parent }),
      source: entry.topic.source,
      status: entry.status,
      settings: entry.topic.settings,
      actions: entry.actions,
      notes: entry.notes,
      problems: entry.problems,
    })),
    unmanaged: result.unmanaged,
  };
}
