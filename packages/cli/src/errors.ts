import { VmwEventsError, isVmwEventsError } from '@org/vmware-events-schema';
import type { VmwEventsErrorOptions } from '@org/vmware-events-schema';

/** Error codes raised by the topic plan. */
export const TOPICS_ERROR_CODES = [
  /** The plan (file or object) is not valid: every problem is listed with its path. */
  'TOPICS_INVALID_PLAN',
  /** The cluster could not be read or did not answer as expected. */
  'TOPICS_CLUSTER',
  /** `applyTopicPlan` refused to start (the plan has problems) or a change failed. */
  'TOPICS_APPLY_FAILED',
] as const;

/** A code from {@link TOPICS_ERROR_CODES}. */
export type TopicsErrorCode = (typeof TOPICS_ERROR_CODES)[number];

/** One problem of a topic plan: where (`topics.environments[1]`) and what. */
export interface TopicPlanIssue {
  /** Path in the plan, dot/bracket notation; empty for the whole plan. */
  path: string;
  message: string;
}

/** An error of the topic plan: a stable `code`, the `retriable` flag and the `cause`. */
export class TopicsError extends VmwEventsError {
  declare readonly code: TopicsErrorCode;

  constructor(code: TopicsErrorCode, message: string, options: VmwEventsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'TopicsError';
  }
}

/** The plan is invalid; `issues` lists every problem with its path. */
export class InvalidTopicPlanError extends TopicsError {
  /** Every problem found, with its path in the plan. */
  readonly issues: readonly TopicPlanIssue[];
  /** The file the plan came from, when it came from one. */
  readonly file: string | undefined;

  constructor(issues: readonly TopicPlanIssue[], file?: string, options: VmwEventsErrorOptions = {}) {
    const where = file === undefined ? 'The topic plan' : `The topic plan ${file}`;
    super(
      'TOPICS_INVALID_PLAN',
      `${where} is invalid:\n${issues.map((i) => `  - ${i.path === '' ? '(plan)' : i.path}: ${i.message}`).join('\n')}`,
      options,
    );
    this.name = 'InvalidTopicPlanError';
    this.issues = issues;
    this.file = file;
  }
}

/** True for any error of the topic plan (any ESM/CJS copy). */
export function isTopicsError(error: unknown): error is TopicsError {
  return isVmwEventsError(error) && (TOPICS_ERROR_CODES as readonly string[]).includes(error.code);
}

/** True for an {@link InvalidTopicPlanError} (any ESM/CJS copy). */
export function isInvalidTopicPlanError(error: unknown): error is InvalidTopicPlanError {
  return isTopicsError(error) && error.code === 'TOPICS_INVALID_PLAN';
}
