/**
 * Issue 14: the release as a workshop ships it — bundle size minified (and gzip, as it would
 * travel), the native bindings beside it, and how long the bundle takes to load on this machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { percentile, printFigures } from './bench-kit.ts';

const sizeOf = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);

export async function releaseBench(): Promise<void> {
  const t0 = performance.now();
  execFileSync(process.execPath, ['build.mjs'], { stdio: 'ignore' });
  const buildMs = performance.now() - t0;
  const bundle = readFileSync('dist/kassa.mjs');
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    execFileSync(process.execPath, ['dist/kassa.mjs', '--version'], { stdio: 'ignore' });
    starts.push(performance.now() - s);
  }
  starts.sort((a, b) => a - b);
  printFigures('release (npm run build)', [
    { name: 'bundle size minified', value: bundle.length / 1024, unit: 'KiB', note: 'dist/kassa.mjs' },
    { name: 'bundle size minified, gzip', value: gzipSync(bundle, { level: 9 }).length / 1024, unit: 'KiB' },
    { name: 'source map (not installed)', value: statSync('dist/kassa.mjs.map').size / 1024, unit: 'KiB' },
    { name: 'native bindings, 3 targets', value: sizeOf('dist/prebuilds') / 1024, unit: 'KiB' },
    { name: 'build time', value: buildMs, unit: 'ms' },
    { name: 'load + `--version`, median of 5', value: percentile(starts, 50), unit: 'ms' },
  ]);
}
