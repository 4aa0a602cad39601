/**
 * dist/kassa.mjs: what `node kassa.mjs …` (the unit's ExecStart, every `kassa` command) runs.
 * It runs the program beside it, kassa-main.cjs (firmware/main.ts bundled), through V8's code
 * cache (program-loader.ts), and touches nothing else of the process.
 *
 * The cache directory is systemd's CACHE_DIRECTORY (the unit's CacheDirectory=kassa:
 * /var/cache/kassa); unset, as under a plain `node dist/kassa.mjs`, there is no cache. When the
 * start had no usable cache, one is written SAVE_AFTER_MS later, once the register has started
 * and compiled what a start needs; a short command (`--version`, `send-job`) ends before and
 * writes none.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from './program-loader.ts';

/** After the start (boot to ready is about 0.5 s, a first start without cache a little more). */
const SAVE_AFTER_MS = 5000;

// systemd passes a colon-separated list when a unit names several cache directories: ours is the first.
const cacheDir = process.env['CACHE_DIRECTORY']?.split(':')[0] || undefined;
const loaded = runProgram({ programPath: join(dirname(fileURLToPath(import.meta.url)), 'kassa-main.cjs'), cacheDir });
if (loaded.why !== undefined) console.error(`kassa: the code cache ${loaded.cacheFile ?? ''} is not used: ${loaded.why}; compiled instead, a new one follows`);
if (loaded.cache !== 'off' && loaded.cache !== 'used') {
  setTimeout(() => {
    loaded.saveCache().catch((e: unknown) => console.error(`kassa: cannot write the code cache ${loaded.cacheFile ?? ''}: ${e instanceof Error ? e.message : String(e)} (the next start compiles again)`));
  }, SAVE_AFTER_MS).unref();
}
