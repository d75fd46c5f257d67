import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

type Validator = {
  validateSchema(schema: unknown): boolean | Promise<unknown>;
  errorsText(errors?: unknown): string;
  errors?: unknown;
};

let draft07: Validator | undefined;
let v2019: Validator | undefined;
let v2020: Validator | undefined;

function validatorFor(uri: string | undefined): Validator | string {
  const id = (uri ?? '').replace(/#$/, '').replace(/^https:/, 'http:');
  if (
    id === '' ||
    id === 'http://json-schema.org/draft-07/schema' ||
    id === 'http://json-schema.org/draft-06/schema'
  ) {
    return (draft07 ??= new Ajv({ strict: false, validateFormats: false }));
  }
  if (id === 'http://json-schema.org/draft/2019-09/schema')
    return (v2019 ??= new Ajv2019({ strict: false, validateFormats: false }));
  if (id === 'http://json-schema.org/draft/2020-12/schema')
    return (v2020 ??= new Ajv2020({ strict: false, validateFormats: false }));
  if (id === 'http://json-schema.org/draft-04/schema') return 'draft-04';
  return `unsupported $schema ${JSON.stringify(uri)} (supported: draft-04, draft-06, draft-07, 2019-09, 2020-12)`;
}

/** Problems that make `schema` unusable as a JSON Schema (empty when it is fine). */
export function schemaProblems(schema: unknown): string[] {
  if (typeof schema === 'boolean') return [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [
      `a JSON Schema must be an object or a boolean, got ${Array.isArray(schema) ? 'an array' : schema === null ? 'null' : typeof schema}`,
    ];
  }
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared !== undefined && typeof declared !== 'string') return ['$schema must be a string'];
  const validator = validatorFor(declared);
  if (validator === 'draft-04') return []; // no draft-04 meta-schema bundled with Ajv 8: compared as written
  if (typeof validator === 'string') return [validator];
  // draft-06 is checked against the draft-07 meta-schema (a superset), the only one bundled with Ajv's default class.
  const checked =
    typeof declared === 'string' && declared.includes('draft-06')
      ? { ...schema, $schema: 'http://json-schema.org/draft-07/schema#' }
      : schema;
  if (validator.validateSchema(checked) === true) return [];
  const errors = (validator.errors ?? []) as Array<{ instancePath?: string; message?: string }>;
  return errors.map(
    (e) =>
      `${e.instancePath === '' || e.instancePath === undefined ? '(root)' : e.instancePath}: ${e.message ?? 'invalid'}`,
  );
}
