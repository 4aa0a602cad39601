#!/usr/bin/env node
/**
 * Runs every uvu suite (test/**\/*.test.ts) in one process with TypeScript loaded by tsx,
 * then prints a plain closing line "N passed, N failed" for CI. Extra arguments go to uvu,
 * e.g. `npm test -- unit` runs only test/unit (uvu's [dir] argument is then test/unit).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const uvuBin = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const [only] = process.argv.slice(2);
const dir = only ? join('test', only) : 'test';

const child = spawn(process.execPath, ['--import', 'tsx', uvuBin, dir, '\\.test\\.ts$', '--color=false'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, FORCE_COLOR: '0' },
});
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const failed = code === 0 ? total - passed - skipped : Math.max(1, total - passed - skipped);
  console.log(`\nuvu: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code === 0 && total > 0 ? 0 : 1);
});
