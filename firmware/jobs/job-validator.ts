/**
 * The job schema's compiled check (job-schema.ts reads its errors). Under tsx ajv compiles it
 * when this module loads; the shipped bundle carries it compiled at build time instead
 * (build.mjs, ajv standalone code from the same `schema` and `options`): compiling the schema
 * took most of a board's start-up and kept the compiler's garbage resident (issue 9 §5).
 */
import { Ajv, type Options } from 'ajv';
import schema from './schema/receipt-job.schema.json' with { type: 'json' };

export { schema };
// strictRequired is off on purpose: the body rules list properties that the envelope defines.
export const options: Options = { allErrors: true, verbose: true, strict: true, strictRequired: false, strictTypes: true, allowUnionTypes: true };
/** Pure apart from its `errors`, read right after each call. */
export const validate = new Ajv(options).compile(schema);
