/**
 * Runs the register's program, one CommonJS bundle (dist/kassa-main.cjs), through V8's code
 * cache (issue 9 §5, boot to ready).
 *
 * Why: compiling the 1.8 MB program is the largest single part of a start (about 80–120 ms on
 * the bench's 2-core machine, more on a board's ARM core), and a register starts again after
 * every power cut. Node 20 has no module compile cache (`module.enableCompileCache` came with
 * Node 22.1), but `vm.Script` takes and makes V8's cached data for a classic script, which is
 * why the program is CommonJS and this loader an ES module apart from it.
 *
 * The cache lives in `cacheDir` (the launcher passes systemd's CACHE_DIRECTORY), one file a
 * program (code-cache-file.ts). Without a cache directory the program is compiled as any
 * script. A cache V8 refuses (another Node, other V8 flags) or one that is damaged or made
 * for another program is not used; the program is compiled and `saveCache` writes a new one.
 * `saveCache` is meant to run once the program has started, so that the cache holds the
 * functions the start compiled too (V8 adds every function compiled so far).
 *
 * The program's file is one function expression, the wrapper Node puts round a CommonJS
 * module: `(function (exports, require, module, __filename, __dirname) {"use strict"; … })`
 * (build.mjs writes it so, strict as the ES module bundle it replaced; the loader compiles the
 * text as it is, without a wrapped copy of 1.8 MB). It is called as Node calls a module;
 * `import()` is not available to it (build.mjs turns those into require).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomic } from '../core/atomic-file.ts';
import { codeCacheFileName, decodeCodeCache, encodeCodeCache, programIdOf, type ProgramId } from './code-cache-file.ts';

/**
 * How the start used the cache:
 * - `off`: no cache directory; compiled;
 * - `used`: V8 took the cache;
 * - `absent`: no cache for this program yet (its first start); compiled;
 * - `rejected`: V8 refused it (another Node or V8 version, other V8 flags); compiled;
 * - `unusable`: unreadable, damaged, or made for another program; compiled.
 */
export type CodeCacheUse = 'off' | 'used' | 'absent' | 'rejected' | 'unusable';

export interface LoadedProgram {
  readonly cache: CodeCacheUse;
  /** Why a cache was not used (`rejected`, `unusable`), for one line on stderr. */
  readonly why?: string;
  /** The cache file of this program (absent when `off`). */
  readonly cacheFile?: string;
  /**
   * Writes the cache of everything compiled so far (atomically: a power cut leaves the old
   * file or none) and deletes the caches of other programs in the directory. Rejects with the
   * file system's error (a read-only or full disk); the program runs on regardless.
   */
  saveCache(): Promise<void>;
}

const FILE_PATTERN = /^kassa-main-[0-9a-f]{8}-\d+\.v8cache(\.tmp)?$/;

/** Compiles (or takes from the cache) and runs the program at `programPath`. Its own exceptions propagate. */
export function runProgram(options: { readonly programPath: string; readonly cacheDir?: string | undefined }): LoadedProgram {
  const { programPath, cacheDir } = options;
  const bytes = readFileSync(programPath);
  const id = programIdOf(bytes);
  const cacheFile = cacheDir ? join(cacheDir, codeCacheFileName(id)) : undefined;
  const found = cacheFile ? readCache(cacheFile, id) : undefined;
  // build.mjs keeps the program ASCII: latin1 is its exact text, and V8 keeps it one byte a character.
  const source = bytes.toString('latin1');
  const script = new Script(source, {
    filename: programPath,
    ...(found && 'data' in found ? { cachedData: Buffer.from(found.data.buffer, found.data.byteOffset, found.data.byteLength) } : {}),
  });
  const cache: CodeCacheUse = !cacheFile ? 'off' : !found ? 'absent' : 'unusable' in found ? 'unusable' : script.cachedDataRejected ? 'rejected' : 'used';
  const why = found && 'unusable' in found ? found.unusable : cache === 'rejected' ? 'V8 refused it (another Node or V8 version, or other V8 flags)' : undefined;
  const run: unknown = script.runInThisContext();
  if (typeof run !== 'function') throw new Error(`${programPath} is not a program for this launcher: its text is not one function expression (build.mjs)`);
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(programPath), module, programPath, dirname(programPath));
  return {
    cache,
    ...(why !== undefined ? { why } : {}),
    ...(cacheFile ? { cacheFile } : {}),
    async saveCache() {
      if (!cacheFile || !cacheDir) return;
      await writeFileAtomic(cacheFile, encodeCodeCache(id, script.createCachedData()));
      for (const name of readdirSync(cacheDir)) if (FILE_PATTERN.test(name) && join(cacheDir, name) !== cacheFile) rmSync(join(cacheDir, name), { force: true });
    },
  };
}

/** The cache file's data for this program; undefined when there is none; why not when it cannot be used. */
function readCache(file: string, id: ProgramId): ReturnType<typeof decodeCodeCache> | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { unusable: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  return decodeCodeCache(bytes, id);
}
