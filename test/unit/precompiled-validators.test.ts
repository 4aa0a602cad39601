/**
 * The bundle's JSON Schema checks are ajv standalone code made at build time
 * (build-validators.mjs); the tests run ajv compiling at load. Both must say the same of every
 * input: the same verdict, the same errors, the same defaults filled in. Compared here on the
 * samples and on seeded mutations of them (a field removed, retyped, or added).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { seededRandom } from '../helpers/seeded-random.ts';

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
interface ValidatorModule {
  readonly validate: Validate;
}

const test = suite('precompiled schema checks (issue 9 §5)');
const dir = mkdtempSync(join(tmpdir(), 'kassa-validators-'));
const { standaloneValidator } = (await import(pathToFileURL(resolve('build-validators.mjs')).href)) as { standaloneValidator: (url: string) => Promise<string> };

/** The standalone code as an ES module; its `require` of ajv's runtime helpers resolves from this repository. */
async function precompiled(module: string): Promise<ValidatorModule> {
  const code = await standaloneValidator(pathToFileURL(resolve(module)).href);
  const file = join(dir, `${module.replace(/\W/g, '-')}.mjs`);
  writeFileSync(file, `import { createRequire } from 'node:module';\nconst require = createRequire(${JSON.stringify(resolve('package.json'))});\n${code}`);
  return (await import(pathToFileURL(file).href)) as ValidatorModule;
}

const JUNK: readonly unknown[] = ['x', 0, -1, 1.5, true, null, [], {}, 'ё'.repeat(300)];

/** `count` copies of `base`, each with one seeded change at a random depth. */
function mutations(base: unknown, count: number, what: string): unknown[] {
  const random = seededRandom(what);
  const out: unknown[] = [];
  for (let n = 0; n < count; n++) {
    const copy = structuredClone(base) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (let depth = 0; depth < 4; depth++) {
      const keys = Object.keys(node);
      const key = keys[random.between(0, keys.length)];
      if (key === undefined) break;
      const child = node[key];
      const choice = random.between(0, 4);
      if (choice === 0 || child === null || typeof child !== 'object') {
        if (choice === 1) delete node[key];
        else if (choice === 2) node[`extra_${n}`] = JUNK[random.between(0, JUNK.length)];
        else node[key] = JUNK[random.between(0, JUNK.length)];
        break;
      }
      node = child as Record<string, unknown>;
    }
    out.push(copy);
  }
  return out;
}

function sameVerdicts(runtime: Validate, built: Validate, inputs: readonly unknown[]): number {
  let refused = 0;
  for (const input of inputs) {
    const a = structuredClone(input);
    const b = structuredClone(input);
    const verdict = runtime(a);
    assert.is(built(b), verdict, JSON.stringify(input).slice(0, 200));
    assert.equal(built.errors ?? null, runtime.errors ?? null);
    assert.equal(b, a, 'the same defaults filled in');
    if (!verdict) refused++;
  }
  return refused;
}

test('the job schema: standalone code and ajv at load agree on samples and 400 mutations', async () => {
  const runtime = (await import('../../firmware/jobs/job-validator.ts')) as ValidatorModule;
  const built = await precompiled('firmware/jobs/job-validator.ts');
  const samples = ['sell-atol.json', 'refund-atol.json', 'sell-orderbundle.json'].map((f) => JSON.parse(readFileSync(join('device-config/samples', f), 'utf8')) as unknown);
  const inputs = [...samples, ...samples.flatMap((s, i) => mutations(s, 134, `job-validator-${i}`))];
  const refused = sameVerdicts(runtime.validate, built.validate, inputs);
  assert.ok(refused > 50, `mutations reach errors (${refused} refused)`);
  assert.ok(refused < inputs.length, 'and samples pass');
});

test('the config schema: standalone code and ajv at load agree, defaults included', async () => {
  const runtime = (await import('../../firmware/config/config-validator.ts')) as ValidatorModule;
  const built = await precompiled('firmware/config/config-validator.ts');
  const samples = ['demo.json', 'production.example.json'].map((f) => JSON.parse(readFileSync(join('device-config', f), 'utf8')) as unknown);
  const inputs = [...samples, ...samples.flatMap((s, i) => mutations(s, 100, `config-validator-${i}`))];
  const refused = sameVerdicts(runtime.validate, built.validate, inputs);
  assert.ok(refused > 20, `mutations reach errors (${refused} refused)`);
  assert.ok(refused < inputs.length, 'and samples pass');
});

test('the doReceipt form schema: standalone code and ajv at load agree', async () => {
  const runtime = (await import('../../firmware/jobs/do-receipt-validator.ts')) as ValidatorModule;
  const built = await precompiled('firmware/jobs/do-receipt-validator.ts');
  const samples = ['sber-do-receipt-sell.json', 'sber-do-receipt-refund.json'].map((f) => (JSON.parse(readFileSync(join('test/fixtures/real', f), 'utf8')) as { job: { sberbank_do_receipt: unknown } }).job.sberbank_do_receipt);
  const inputs = [...samples, ...samples.flatMap((s, i) => mutations(s, 100, `do-receipt-validator-${i}`))];
  const refused = sameVerdicts(runtime.validate, built.validate, inputs);
  assert.ok(refused > 20, `mutations reach errors (${refused} refused)`);
  assert.ok(refused < inputs.length, 'and samples pass');
});

test('the factory config schema: standalone code and ajv at load agree, defaults included', async () => {
  const runtime = (await import('../../firmware/provisioning/factory-validator.ts')) as ValidatorModule;
  const built = await precompiled('firmware/provisioning/factory-validator.ts');
  const sample = JSON.parse(readFileSync('device-config/factory.example.json', 'utf8')) as unknown;
  const inputs = [sample, ...mutations(sample, 200, 'factory-validator')];
  const refused = sameVerdicts(runtime.validate, built.validate, inputs);
  assert.ok(refused > 20, `mutations reach errors (${refused} refused)`);
  assert.ok(refused < inputs.length, 'and the sample passes');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
