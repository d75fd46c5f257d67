// The public API of @org/vmware-events-cli: the topic plan as a library (the `vmware-events` command is its thin
// face). Named exports only, nothing else is public.

// --- errors ---
export {
  TOPICS_ERROR_CODES,
  TopicsError,
  InvalidTopicPlanError,
  isTopicsError,
  isInvalidTopicPlanError,
} from './errors.js';
export type { TopicsErrorCode, TopicPlanIssue } from './errors.js';

// --- the plan: what topics should exist, with which settings ---
export { CLEANUP_POLICIES, TOPIC_DEFAULTS, TYPED_CONFIG_NAMES, topicConfigs } from './topics/settings.js';
export type { CleanupPolicy, TopicSettings } from './topics/settings.js';
export type { TopicPlanInput, TopicSettingsInput } from './topics/plan-schema.js';
export { defineTopicPlan, parseTopicPlan } from './topics/plan.js';
export type { DesiredTopic, TopicKind, TopicPlan } from './topics/plan.js';
export { loadTopicPlan, parseTopicPlanText } from './topics/load.js';

// --- against a cluster ---
export { readClusterState } from './topics/cluster.js';
export type { ClusterState, ObservedConfig, ObservedTopic, TopicAdmin } from './topics/cluster.js';
export { diffTopicPlan } from './topics/diff.js';
export type {
  ConfigChange,
  TopicAction,
  TopicPlanEntry,
  TopicPlanResult,
  TopicStatus,
} from './topics/diff.js';
export { TopicApplyError, applyTopicPlan, isTopicApplyError, planTopics } from './topics/apply.js';
export type { AppliedChange, ApplyOptions, ApplyResult, PlanOptions } from './topics/apply.js';
export { formatAppliedChange, formatTopicPlan, topicPlanToJson } from './topics/format.js';
