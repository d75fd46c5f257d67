import { readFile } from 'node:fs/promises';
import { InvalidSchemaFileError } from './errors.js';
import { schemaProblems } from './internal/meta.js';
import type { JsonSchema } from './types.js';

/**
 * Reads a JSON Schema file for the compatibility checker. Throws {@link InvalidSchemaFileError} naming the file
 * when it cannot be read, is not JSON, or is not a JSON Schema.
 */
export async function readSchemaFile(path: string): Promise<JsonSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? String(error)})`;
    throw new InvalidSchemaFileError(path, [reason], { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidSchemaFileError(path, [`invalid JSON: ${(error as Error).message}`], { cause: error });
  }
  const problems = schemaProblems(value);
  if (problems.length > 0) throw new InvalidSchemaFileError(path, problems);
  return value as JsonSchema;
}
