/**
 * The device configuration schema's compiled check (parse-config.ts reads its errors and the
 * defaults it fills in). Under tsx ajv compiles it when this module loads; the shipped bundle
 * carries it compiled at build time instead (build.mjs, ajv standalone code from the same
 * `schema` and `options`): compiling at start took most of a board's start-up (issue 9 §5).
 */
import { Ajv, type Options } from 'ajv';
import schema from '../../device-config/device-config.schema.json' with { type: 'json' };

export { schema };
export const options: Options = { allErrors: true, useDefaults: true, strict: false, coerceTypes: false, discriminator: true };
export const validate = new Ajv(options).compile(schema);
