/**
 * The doReceipt form's compiled check (sberbank-do-receipt.ts reads its errors), built like
 * job-validator.ts: ajv compiles it when this module loads under tsx, and the shipped bundle
 * carries it compiled at build time (build.mjs), with the job schema's options.
 */
import { Ajv } from 'ajv';
import schema from './schema/do-receipt.schema.json' with { type: 'json' };
import { options } from './job-validator.ts';

export { schema, options };
/** Pure apart from its `errors`, read right after each call. */
export const validate = new Ajv(options).compile(schema);
