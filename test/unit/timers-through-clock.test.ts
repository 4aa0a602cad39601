/**
 * Every timer of the register goes through the injected clock (issue 9 §6, DESIGN.md §3
 * rule 3): no file of firmware/ or drivers/ calls setTimeout, setInterval or Date.now()
 * itself, so a test that passes a ManualClock steps every wait there is. And the unit,
 * contract and service tiers do not sleep or read the wall clock either (DESIGN.md §4): their
 * waits are test/helpers/poll.ts's (stepUntil on a ManualClock; pollUntil on a condition
 * where real I/O runs). Reads the sources as text; comments are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

/** The places allowed to read real time, each with its reason. */
const ALLOWED: Readonly<Record<string, string>> = {
  // systemClock() is the one real clock, handed to every process by main.ts.
  'firmware/core/clock.ts': 'the real clock itself',
  // Certificate validity of the cloud-side tools (`kassa cloud init|claims`): a default
  // argument that every caller may replace with its own `now`; no timer.
  'firmware/provisioning/x509.ts': 'default notBefore of certificates the cloud tools issue',
  // dist/kassa.mjs runs before the program and its clock exist: one unref'd timer that writes
  // the code cache once the program has started (a short command ends before it fires).
  'firmware/launch/kassa-launcher.ts': 'the launcher, outside the program',
};

const REAL_TIME = /\b(setTimeout|setInterval|Date\.now)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Lines that call real time, with their numbers; line and block comments are left out. */
export function realTimeCalls(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return code.split('\n').flatMap((line, i) => {
    const bare = line.replace(/\/\/.*$/, '');
    return REAL_TIME.test(bare) ? [`${i + 1}: ${line.trim()}`] : [];
  });
}

const test = suite('timers through the clock');

test('the scanner finds a real timer and skips one in a comment', () => {
  assert.equal(realTimeCalls('const a = 1;\nsetTimeout(f, 5);\n// setTimeout(g, 1)\n/* Date.now() */'), ['2: setTimeout(f, 5);']);
  assert.equal(realTimeCalls('const t = Date.now ();'), ['1: const t = Date.now ();']);
});

test('no file of firmware/ or drivers/ reads real time but the clock', () => {
  const offenders = [...sources('firmware'), ...sources('drivers')]
    .map((f) => f.split('\\').join('/'))
    .filter((f) => !(f in ALLOWED))
    .flatMap((f) => realTimeCalls(readFileSync(f, 'utf8')).map((l) => `${f}:${l}`));
  assert.equal(offenders, [], `pass the injected Clock instead:\n${offenders.join('\n')}`);
});

test('no unit, contract or service test sleeps or reads the wall clock', () => {
  const offenders = ['test/unit', 'test/contract', 'test/service']
    .flatMap(sources)
    .map((f) => f.split('\\').join('/'))
    .filter((f) => f !== 'test/unit/timers-through-clock.test.ts') // its own examples above
    .flatMap((f) => realTimeCalls(readFileSync(f, 'utf8')).map((l) => `${f}:${l}`));
  assert.equal(offenders, [], `step a ManualClock or wait with test/helpers/poll.ts instead:\n${offenders.join('\n')}`);
});

test.run();
