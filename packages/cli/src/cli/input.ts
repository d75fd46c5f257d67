/**
 * Reading values from files or standard input, for `validate` and `produce`: a file is one JSON value, or NDJSON
 * (one JSON value per line) when the whole text is not JSON but its first line is. Each value is named by where it
 * came from (`events.ndjson:3`, `events.json[2]`), so every message can point at it.
 */
import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from './io.js';
import type { CommandIo } from './io.js';

/** One value read, or the reason its text could not be parsed. */
export interface InputItem {
  /** `file`, `file:line` (NDJSON) or `file[index]` (an element of a JSON array, with `splitArrays`). */
  where: string;
  value?: unknown;
  /** Why the text could not even be parsed. */
  unreadable?: string;
}

/** Options of {@link readInputItems}. */
export interface ReadInputOptions {
  /** The command, for the message when nothing is piped in. */
  command: string;
  /** A file holding one JSON array gives its elements (for `produce`); otherwise the array is one value. */
  splitArrays: boolean;
}

/**
 * Every value of the files (standard input for none or `-`).
 * @throws UsageError when nothing is piped in and no file is named; InputError when a file cannot be read.
 */
export async function readInputItems(
  files: readonly string[],
  io: CommandIo,
  options: ReadInputOptions,
): Promise<InputItem[]> {
  const names = files.length === 0 ? ['-'] : files;
  if (files.length === 0 && io.stdinIsTty) {
    throw new UsageError(`${options.command} needs files, or events piped into standard input`);
  }
  const items: InputItem[] = [];
  for (const file of names) {
    let text: string;
    try {
      text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(
        `cannot read ${file}: ${code === 'ENOENT' ? 'file not found' : String(code ?? error)}`,
      );
    }
    items.push(...parseItems(text, file === '-' ? '<stdin>' : file, options.splitArrays));
  }
  return items;
}

/**
 * One JSON value, or NDJSON (when the whole text is not JSON but its first line is). A JSON array is one value, as
 * for any JSON Schema validator, unless `splitArrays`.
 */
export function parseItems(text: string, name: string, splitArrays = false): InputItem[] {
  if (text.trim() === '') return [];
  try {
    const value = JSON.parse(text) as unknown;
    if (splitArrays && Array.isArray(value))
      return value.map((element, i) => ({ where: `${name}[${i}]`, value: element as unknown }));
    return [{ where: name, value }];
  } catch (error) {
    const lines = text.split('\n');
    const firstLine = lines.findIndex((line) => line.trim() !== '');
    if (lines.filter((line) => line.trim() !== '').length < 2 || !parsesAlone(lines[firstLine]!)) {
      return [{ where: name, unreadable: `not JSON: ${(error as Error).message}` }];
    }
    return lines.flatMap((line, i): InputItem[] => {
      if (line.trim() === '') return [];
      const where = `${name}:${i + 1}`;
      try {
        return [{ where, value: JSON.parse(line) as unknown }];
      } catch (lineError) {
        return [{ where, unreadable: `not JSON: ${(lineError as Error).message}` }];
      }
    });
  }
}

function parsesAlone(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
