import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InvalidTopicPlanError } from '../errors.js';
import { parseTopicPlan } from './plan.js';
import type { TopicPlan } from './plan.js';

/**
 * Reads a topic plan file: `.json`, or YAML (`.yaml`, `.yml`, anything else). Throws {@link InvalidTopicPlanError}
 * naming the file when it cannot be read, is not JSON/YAML, or is not a valid plan.
 *
 * @example const plan = await loadTopicPlan('topics.yaml');
 */
export async function loadTopicPlan(file: string): Promise<TopicPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(error)})`;
    throw new InvalidTopicPlanError([{ path: '', message: reason }], file, { cause: error });
  }
  return parseTopicPlanText(text, file);
}

/** A topic plan from the text of a file (`name` decides JSON or YAML by its extension and names it in errors). */
export function parseTopicPlanText(text: string, name: string): TopicPlan {
  let value: unknown;
  const json = extname(name).toLowerCase() === '.json';
  try {
    value = json ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    const message = `not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`;
    throw new InvalidTopicPlanError([{ path: '', message }], name, { cause: error });
  }
  if (value === null || value === undefined) {
    throw new InvalidTopicPlanError([{ path: '', message: 'the file is empty' }], name);
  }
  return parseTopicPlan(value, name);
}
