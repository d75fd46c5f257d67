/**
 * The shape of a topic plan (a file or an object in code), as one zod schema. Resolution into concrete topics is in
 * plan.ts; this file only says what may be written.
 */
import { z } from 'zod';
import { CLEANUP_POLICIES, TYPED_CONFIG_NAMES } from './settings.js';

const CONFIG_NAME = /^[a-z][a-z0-9]*(\.[a-z0-9]+)*$/;
const typedConfigs = new Map<string, string>(
  Object.entries(TYPED_CONFIG_NAMES).map(([setting, kafkaName]) => [kafkaName, setting]),
);

function configNameProblem(name: string): string | undefined {
  if (!CONFIG_NAME.test(name)) return `'${name}' is not a Kafka topic config name (e.g. compression.type)`;
  if (name === 'partitions' || name === 'replication.factor')
    return `'${name}' is not a topic config: use the setting of that name`;
  if (typedConfigs.has(name)) return `set '${name}' with the setting '${typedConfigs.get(name)}'`;
  return undefined;
}

// Checked on the record (not on its key schema) so that the message reaches the user: zod reports a failing key
// schema only as "Invalid key in record".
const configSchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .superRefine((config, ctx) => {
    for (const name of Object.keys(config)) {
      const message = configNameProblem(name);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message });
    }
  });

const positiveInt = (what: string) =>
  z.int({ error: `${what} must be a whole number` }).min(1, { error: `${what} must be at least 1` });

/** Settings any level of the plan may set; every one optional (it inherits from the level above). */
export const settingsSchema = z.strictObject({
  partitions: positiveInt('partitions').max(100_000).optional(),
  replicationFactor: positiveInt('replicationFactor').max(32_767).optional(),
  minInsyncReplicas: positiveInt('minInsyncReplicas').optional(),
  retentionMs: z
    .int({ error: 'retentionMs must be a whole number of milliseconds' })
    .min(-1, { error: 'retentionMs must be -1 (forever) or more' })
    .optional(),
  cleanupPolicy: z
    .enum(CLEANUP_POLICIES, { error: `cleanupPolicy must be one of ${CLEANUP_POLICIES.join(', ')}` })
    .optional(),
  maxMessageBytes: z.int({ error: 'maxMessageBytes must be a whole number' }).min(0).optional(),
  config: configSchema.optional(),
});

/** `deadLetter` / `raw` on an entry: `false` to leave the topic out, `true` or settings to have it. */
const derivedSchema = z.union([z.boolean(), settingsSchema]);

const entrySchema = settingsSchema.extend({
  /** The entry's `<topic>.dlq` (default: on for every topic). */
  deadLetter: derivedSchema.optional(),
  /** The entry's `<topic>.raw` (default: on for VM operation topics, off for domain topics). */
  raw: derivedSchema.optional(),
  /**
   * Consumer groups with a retry topic `<topic>.retry.<group>` (the topic's settings; with its own `.dlq` unless
   * `deadLetter: false`), for `vmware-events dlq replay --to retry`.
   */
  retryGroups: z
    .array(z.string().min(1, { error: 'a consumer group must not be empty' }), {
      error: 'retryGroups must be a list of consumer group ids',
    })
    .optional(),
});

const segment = z.string().min(1, { error: 'must not be empty' });
const segments = z.union([segment, z.array(segment).min(1, { error: 'must list at least one value' })]);

/** An environment or team: its name, or its name with settings of its own. */
const namedEntrySchema = z.union([segment, entrySchema.extend({ name: segment })]);

/** Seed-002 domain topics `<ENV>.<tenant>.<module>.<entity>`: every combination of the listed values. */
const domainEntrySchema = entrySchema.extend({
  environment: segments,
  tenant: segments,
  module: segment,
  entity: segments,
});

/** A topic plan as written in a file or passed to `defineTopicPlan()`. */
export const topicPlanSchema = z.strictObject({
  /** A JSON Schema reference for editors; ignored. */
  $schema: z.string().optional(),
  /** The plan format; 1 is the only one so far. */
  version: z.literal(1, { error: 'version must be 1 (the only plan format so far)' }).optional(),
  /** Settings for every topic (over the SDK's TOPIC_DEFAULTS). */
  defaults: settingsSchema.optional(),
  /** Settings for every dead-letter topic (over its topic's settings). */
  deadLetter: settingsSchema.optional(),
  /** Settings for every raw topic (over its topic's settings). */
  raw: settingsSchema.optional(),
  topics: z.strictObject(
    {
      /** `vmware.events`. */
      canonical: z.union([z.boolean(), entrySchema]).optional(),
      /** `vmware.events.<environment>`. */
      environments: z.array(namedEntrySchema).optional(),
      /** `vmware.events.<team>`. */
      teams: z.array(namedEntrySchema).optional(),
      /** `<ENV>.<tenant>.<module>.<entity>` (seed 002). */
      domains: z.array(domainEntrySchema).optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? 'topics is required: an object with canonical, environments, teams and/or domains'
          : undefined,
    },
  ),
});

/** A topic plan as written: what `defineTopicPlan()` and plan files accept. */
export type TopicPlanInput = z.input<typeof topicPlanSchema>;
/** Settings as written at one level of a plan. */
export type TopicSettingsInput = z.input<typeof settingsSchema>;
/** Settings at one level of a plan, after parsing. */
export type ParsedSettings = z.output<typeof settingsSchema>;
/** A parsed topic plan, before it is resolved into topics. */
export type ParsedTopicPlan = z.output<typeof topicPlanSchema>;
/** An entry's `deadLetter` / `raw`, after parsing. */
export type ParsedDerived = z.output<typeof derivedSchema>;
