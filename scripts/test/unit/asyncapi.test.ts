import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ajvModule from 'ajv';
import ajvFormatsModule from 'ajv-formats';
import { afterEach, describe, expect, it, vi } from 'vitest';

const Ajv = ajvModule.default;
const addFormats = ajvFormatsModule.default;
const schemasDir = fileURLToPath(new URL('../../../schemas', import.meta.url));

type Doc = {
  channels: Record<string, { messages: Record<string, { $ref: string }> }>;
  components: {
    schemas: Record<string, unknown>;
    messages: Record<
      string,
      {
        payload: { $ref: string };
        headers?: { $ref: string };
        examples?: Array<{ headers?: unknown; payload: unknown }>;
      }
    >;
  };
};

/** The generator reading another schemas/ folder (its paths are read when the module loads). */
async function buildFrom(dir?: string): Promise<Doc> {
  vi.resetModules();
  if (dir !== undefined) vi.stubEnv('VMW_SCHEMAS_DIR', dir);
  const { buildAsyncApiDocument } = await import('../../asyncapi/document.js');
  return buildAsyncApiDocument() as Doc;
}

function copyOfSchemas(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vmw-asyncapi-'));
  cpSync(schemasDir, dir, { recursive: true });
  return dir;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the AsyncAPI generator', () => {
  it('takes every version of a family from schemas/: a new minor becomes a message on each of its channels', async () => {
    const dir = copyOfSchemas();
    try {
      const v10 = JSON.parse(readFileSync(join(dir, 'vm-operation-event', '1.0.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      writeFileSync(
        join(dir, 'vm-operation-event', '1.1.json'),
        JSON.stringify({ ...v10, $id: String(v10.$id).replace('1.0.json', '1.1.json') }),
      );
      const doc = await buildFrom(dir);
      for (const channel of ['canonical', 'environment', 'team']) {
        expect(Object.keys(doc.channels[channel]!.messages)).toEqual([
          'vm-operation-event-1.0',
          'vm-operation-event-1.1',
        ]);
      }
      const embedded = JSON.stringify(doc.components.schemas['vm-operation-event-1.1']);
      expect(embedded).toContain(
        '"#/components/schemas/vm-operation-event-1.1/definitions/ResourceOperationEvent"',
      );
      expect(embedded).not.toContain('"#/definitions/');
      expect(embedded).not.toContain('"$id"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a schema family it does not place on a channel, instead of leaving it out', async () => {
    const dir = copyOfSchemas();
    try {
      mkdirSync(join(dir, 'host-event'));
      writeFileSync(join(dir, 'host-event', '1.0.json'), '{"type": "object"}');
      await expect(buildFrom(dir)).rejects.toThrow(
        /schemas\/host-event\/ is a schema family the AsyncAPI generator does not place on a channel/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives each message examples whose payload and headers its own schemas accept, references resolved in the document', async () => {
    const doc = await buildFrom();
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://asyncapi.test/doc', components: doc.components });
    const compile = (pointer: string) => ajv.compile({ $ref: `https://asyncapi.test/doc${pointer}` });
    let checked = 0;
    for (const [key, message] of Object.entries(doc.components.messages)) {
      if (message.payload.$ref === undefined) continue; // the dead letter: any bytes
      const payload = compile(message.payload.$ref);
      const headers = message.headers === undefined ? undefined : compile(message.headers.$ref);
      for (const example of message.examples ?? []) {
        expect(payload(example.payload), `${key} payload: ${ajv.errorsText(payload.errors)}`).toBe(true);
        if (headers !== undefined)
          expect(headers(example.headers), `${key} headers: ${ajv.errorsText(headers.errors)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    // The embedded schemas still reject what the schema files reject.
    const vm = compile(doc.components.messages['vm-operation-event-1.0']!.payload.$ref);
    const { eventId: _dropped, ...withoutId } = doc.components.messages['vm-operation-event-1.0']!
      .examples![0]!.payload as Record<string, unknown>;
    expect(vm(withoutId)).toBe(false);
    const domainHeaders = compile('#/components/schemas/domain-event-headers');
    expect(
      domainHeaders({
        ...(doc.components.messages['domain-event-1.0']!.examples![0]!.headers as object),
        ce_type: 'com.vmware.events.vm.create.v1',
      }),
    ).toBe(false);
  });
});
