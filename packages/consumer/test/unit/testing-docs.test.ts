import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('docs/testing.md', () => {
  it('prints testing-example.test.ts as it is (after its header comment), so the example cannot rot', async () => {
    const doc = await readFile(new URL('../../../../docs/testing.md', import.meta.url), 'utf8');
    const file = await readFile(new URL('./testing-example.test.ts', import.meta.url), 'utf8');
    const printed = /## The example[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(printed).toBeDefined();
    expect(printed).toBe(file.replace(/^\/\*\*[\s\S]*?\*\/\n/, ''));
  });
});
