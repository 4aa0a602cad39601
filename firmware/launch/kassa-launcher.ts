/**
 * dist/kassa.mjs: what `node kassa.mjs …` (the unit's ExecStart, every `kassa` command) runs.
 * It runs the program beside it, kassa-main.cjs (firmware/main.ts bundled), through V8's code
 * cache (program-loader.ts); of the process it reads the environment and Node's facts, and
 * listens for its exit (the cache's mark, program-loader.ts survived()).
 *
 * The cache directory comes from systemd (launch-settings.ts: CacheDirectory=, else
 * StateDirectory=); without one there is no cache. A start that had no usable cache writes one
 * SAVE_AFTER_MS later, once the register has started and compiled what a start needs; a short
 * command (`--version`, `send-job`) ends before and writes none.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDirectory, runtimeIdentity } from './launch-settings.ts';
import { compileProgram } from './program-loader.ts';

/** After the start (boot to ready is about 0.5 s, a first start without cache a little more). */
const SAVE_AFTER_MS = 5000;

// The real folder: the program sits beside the launcher, wherever a symlink to it points from.
const programPath = join(dirname(realpathSync(fileURLToPath(import.meta.url))), 'kassa-main.cjs');
const binary = realpathSync(process.execPath);
const { size, mtimeMs } = statSync(binary);
const runtime = runtimeIdentity({ version: process.version, arch: process.arch, v8: process.versions.v8, binary: { path: binary, size, mtimeMs } }, programPath);
const where = codeCacheDirectory(process.env);
const program = compileProgram({ programPath, cacheDir: where.dir, staleDir: where.stale, runtime, now: () => Date.now() });
if (program.why !== undefined) console.error(`kassa: the code cache ${program.cacheFile ?? ''} is not used: ${program.why}; the program is compiled instead (a run writes a new cache after ${SAVE_AFTER_MS / 1000} s)`);
// Before the program runs: it may end the process itself.
process.once('exit', () => program.survived());
program.run();
if (program.cache !== 'off') {
  setTimeout(() => {
    program.survived();
    if (program.cache === 'used') return;
    program.saveCache().catch((e: unknown) => console.error(`kassa: cannot write the code cache ${program.cacheFile ?? ''}: ${e instanceof Error ? e.message : String(e)} (the next start compiles again)`));
  }, SAVE_AFTER_MS).unref();
}
