/**
 * ajv standalone code for a `*-validator.ts` module (build.mjs ships the JSON Schema checks
 * compiled, issue 9 §5). The module exports `schema`, `options` and `validate`; the code made
 * here exports the same three, `validate` compiled from the same schema and options. It must
 * be imported where `.ts` loads (tsx): build.mjs runs it in a child `node --import tsx`, and
 * test/unit/precompiled-validators.test.ts checks the code against ajv compiling at run time.
 */
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

/** ESM source; its one `require` (ajv's runtime helpers) is left for the bundler to resolve. */
export async function standaloneValidator(moduleUrl) {
  const m = await import(moduleUrl);
  const ajv = new Ajv({ ...m.options, code: { ...m.options.code, source: true, esm: true } });
  const code = (standalone.default ?? standalone)(ajv, ajv.compile(m.schema));
  return `${code}\nexport const schema = ${JSON.stringify(m.schema)};\nexport const options = ${JSON.stringify(m.options)};\n`;
}
