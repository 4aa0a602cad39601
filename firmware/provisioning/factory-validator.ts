/**
 * The factory config's compiled check (register-config.ts): the device config schema with
 * only `version`, `claim` and `security` required, the options of config-validator.ts. Under
 * tsx ajv compiles it when this module loads; the shipped bundle carries it compiled at build
 * time (build.mjs, ajv standalone code), so the register's run path carries no schema compiler
 * (issue 9 §5: ajv and its dependencies were 120 KiB of every register's bundle, for a check
 * that only a factory config needs).
 */
import { Ajv } from 'ajv';
import deviceSchema from '../../device-config/device-config.schema.json' with { type: 'json' };
import { options } from '../config/config-validator.ts';

const { $id: _id, ...rest } = deviceSchema as Record<string, unknown>;
export const schema = { ...rest, required: ['version', 'claim', 'security'] };
export { options };
export const validate = new Ajv(options).compile(schema);
