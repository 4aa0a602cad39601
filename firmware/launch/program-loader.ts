/**
 * Runs the register's program, one CommonJS bundle (dist/kassa-main.cjs), through V8's code
 * cache (issue 9 §5, boot to ready).
 *
 * Why: compiling the 1.8 MB program, and the functions a start compiles lazily, is the largest
 * single part of a start (about 0.15 s of the bench's 100 000-job boot on a 2-core machine, more
 * on a board's ARM core), and a register starts again after every power cut. Node 20 has no
 * module compile cache (`module.enableCompileCache` came with Node 22.1), but `vm.Script` takes
 * and makes V8's cached data for a classic script, which is why the program is CommonJS and
 * this loader an ES module apart from it.
 *
 * The program's file is one function expression, the wrapper Node puts round a CommonJS
 * module: `(function (exports, require, module, __filename, __dirname) {"use strict"; … })`
 * (build.mjs writes it so, strict as the ES module bundle it replaced; the loader compiles the
 * text as it is, without a wrapped copy of 1.8 MB). It is called as Node calls a module;
 * `import()` is not available to it (build.mjs turns those into require).
 *
 * The cache lives in `cacheDir`, one file a program (code-cache-file.ts). Without a cache
 * directory the program is compiled as any script. A cache V8 refuses, one that is damaged or
 * made for another program, Node or place is not used, and one that a start did not survive
 * (see `survived`) is deleted: the program is compiled, and `saveCache` writes a new one.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
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
 * - `rejected`: V8 refused it (other V8 flags); compiled;
 * - `unusable`: unreadable, damaged, made for another program, Node or place, or deleted because
 *   a start with it did not survive; compiled.
 */
export type CodeCacheUse = 'off' | 'used' | 'absent' | 'rejected' | 'unusable';

export interface CompiledProgram {
  readonly cache: CodeCacheUse;
  /** Why a cache was not used (`rejected`, `unusable`), for one line on stderr. */
  readonly why?: string;
  /** The cache file of this program (absent when `off`). */
  readonly cacheFile?: string;
  /** Runs the program as Node runs a CommonJS module. Its own exceptions propagate. */
  run(): void;
  /**
   * The start got far enough (or the process ends by itself). A start that uses the cache
   * marks it first, and a start that finds the mark (the one before died while using it: a
   * SIGSEGV from data V8 took but cannot run, a power cut) deletes that cache. Also removes
   * temporaries of saves killed midway and a cache directory of before (`staleDir`). Never
   * throws: it runs in the process's exit handler too.
   */
  survived(): void;
  /**
   * Writes the cache of everything compiled so far (atomically: a power cut leaves the old
   * file or none) and deletes the caches of other programs in the directory. Rejects with the
   * file system's error (a read-only or full disk); the program runs on regardless.
   */
  saveCache(): Promise<void>;
}

/** The text every program file begins with (build.mjs's banner). */
export const PROGRAM_HEAD = '(function (exports, require, module, __filename, __dirname) {';

const CACHE_FILE = /^kassa-main-[0-9a-f]{8}-\d+\.v8cache$/;
/** A temporary of a save that did not finish; another process's save may be under way, so only old ones go. */
const STALE_TEMP = /^kassa-main-[0-9a-f]{8}-\d+\.v8cache\.[0-9a-f]+\.tmp$/;
const STALE_TEMP_MS = 60_000;

/**
 * Compiles the program at `programPath`, taking the cache in `cacheDir` when it is there and
 * was made for this program by this `runtime` (what made the data: Node, V8, binary, place).
 * @throws when the file is not a program for this loader, or the program does not compile.
 */
export function compileProgram(options: {
  readonly programPath: string;
  readonly cacheDir?: string | undefined;
  readonly runtime: string;
  /** A cache directory of before (launch-settings.ts): removed once this start has survived. */
  readonly staleDir?: string | undefined;
  /** Wall time, ms (the launcher's Date.now: there is no program clock yet). */
  readonly now: () => number;
}): CompiledProgram {
  const { programPath, cacheDir, runtime, staleDir, now } = options;
  const bytes = readFileSync(programPath);
  // build.mjs keeps the program ASCII: latin1 is its exact text, and V8 keeps it one byte a character.
  const source = bytes.toString('latin1');
  if (!source.startsWith(PROGRAM_HEAD)) throw new Error(`${programPath} is not a program for this launcher: its text is not one function expression (build.mjs)`);
  const id = programIdOf(bytes);
  const cacheFile = cacheDir ? join(cacheDir, codeCacheFileName(id)) : undefined;
  const mark = cacheFile ? `${cacheFile}.starting` : undefined;
  let found = cacheFile ? readCache(cacheFile, id, runtime) : undefined;
  if (cacheFile && mark && found && 'data' in found && existsSync(mark)) {
    // Suspect: gone, so that a start that ends early for another reason (and takes the mark
    // with it) cannot hand the same data to the next one. The next run writes a new cache.
    found = { unusable: 'a start that used it ended within its first seconds (a crash, or a power cut); deleted' };
    removeQuietly(cacheFile);
    removeQuietly(mark);
  }
  if (mark && found && 'data' in found) {
    // No mark, no guard: a cache that crashed this start would crash every next one.
    try {
      writeFileSync(mark, '');
    } catch (e) {
      found = { unusable: `cannot mark it in use (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
  }
  const script = new Script(source, {
    filename: programPath,
    ...(found && 'data' in found ? { cachedData: Buffer.from(found.data.buffer, found.data.byteOffset, found.data.byteLength) } : {}),
  });
  const cache: CodeCacheUse = !cacheFile ? 'off' : !found ? 'absent' : 'unusable' in found ? 'unusable' : script.cachedDataRejected ? 'rejected' : 'used';
  const why = found && 'unusable' in found ? found.unusable : cache === 'rejected' ? 'V8 refused it (other V8 flags)' : undefined;
  // Never throws (it runs in the process's exit handler); a mark that stays costs one compiled start.
  const unmark = (): void => {
    if (mark) removeQuietly(mark);
  };
  /** Temporaries of saves that did not finish (killed mid-save); another process's save may be under way, so only old ones go. */
  const dropStaleTemps = (): void => {
    if (!cacheDir) return;
    try {
      for (const name of readdirSync(cacheDir)) {
        const path = join(cacheDir, name);
        if (STALE_TEMP.test(name) && now() - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? now()) > STALE_TEMP_MS) removeQuietly(path);
      }
    } catch {
      // no directory, or not readable: nothing of ours is there
    }
  };
  return {
    cache,
    ...(why !== undefined ? { why } : {}),
    ...(cacheFile ? { cacheFile } : {}),
    run() {
      const run: unknown = script.runInThisContext();
      if (typeof run !== 'function') throw new Error(`${programPath} is not a program for this launcher: its text is not one function expression (build.mjs)`);
      const module = { exports: {} };
      run.call(module.exports, module.exports, createRequire(programPath), module, programPath, dirname(programPath));
    },
    survived() {
      unmark();
      dropStaleTemps();
      if (staleDir) removeQuietly(staleDir);
    },
    async saveCache() {
      if (!cacheFile || !cacheDir) return;
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      // Its own temporary: two registers starting on one directory must not write into one file.
      await writeFileAtomic(cacheFile, encodeCodeCache(id, runtime, script.createCachedData()), 0o600, `${cacheFile}.${randomBytes(4).toString('hex')}.tmp`);
      unmark();
      for (const name of readdirSync(cacheDir)) {
        const path = join(cacheDir, name);
        if ((CACHE_FILE.test(name) && path !== cacheFile) || (name.endsWith('.v8cache.starting') && path !== mark)) removeQuietly(path);
      }
      dropStaleTemps();
    },
  };
}

/** rm -rf that never throws: what cannot be removed now is tried again by a later start. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true, recursive: true });
  } catch {
    // a read-only or failing file system
  }
}

/** The cache file's data for this program; undefined when there is none; why not when it cannot be used. */
function readCache(file: string, id: ProgramId, runtime: string): ReturnType<typeof decodeCodeCache> | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { unusable: `unreadable (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  return decodeCodeCache(bytes, id, runtime);
}
