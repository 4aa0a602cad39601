/**
 * Every refusal the FN emulator makes cites the table of fn-protocol v1.2.06 (and the code)
 * it comes from, or says it is a documented knob and not an FN rule (issue 10 §5). A source
 * scan: a new `FnRefusal` or `refuseTag` without a citation fails here.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const it = suite('fn-emulator refusals cite the spec');
const DIR = 'drivers/fn/emulator';

it('each FnRefusal / refuseTag call names its Table (or §) or the knob it belongs to', () => {
  let calls = 0;
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts') && f !== 'fn-refusal.ts')) {
    const lines = readFileSync(join(DIR, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/new FnRefusal\(|refuseTag\(/.test(line)) return;
      calls++;
      assert.ok(/Tables? \d+|§\d|not an FN rule: the \w+ knob/.test(line), `${file}:${i + 1} cites no table: ${line.trim()}`);
    });
  }
  assert.ok(calls >= 40, `found ${calls} refusals`);
});

it('no 0Dh anywhere in the emulator: Table 68 gives it for FFD 1.1 only', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(DIR, file), 'utf8');
    assert.not.match(text, /FnRefusal\(0x0d/i, file);
  }
});

it.run();
