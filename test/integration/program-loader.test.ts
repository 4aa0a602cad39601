/**
 * The launcher's program loader (firmware/launch/program-loader.ts) in real Node processes: a
 * cache is written for the program, taken by the next start, refused by V8 under other flags,
 * never handed to another program, and a damaged one is compiled over. The program is called
 * as Node calls a CommonJS module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { codeCacheFileName, programIdOf } from '../../firmware/launch/code-cache-file.ts';
import { removeDir } from '../helpers/app-rig.ts';

const test = suite('program loader (V8 code cache)');
const work = mkdtempSync(join(tmpdir(), 'kassa-loader-'));
const loaderUrl = pathToFileURL('firmware/launch/program-loader.ts').href;

/** A program with functions the start compiles lazily, so there is something to cache. */
function programText(greeting: string): string {
  const fns = Array.from({ length: 50 }, (_, i) => `function f${i}(x) { return x * ${i} + ${greeting.length}; }`).join('\n');
  return `(function (exports, require, module, __filename, __dirname) {"use strict";\n${fns}\nconst { basename } = require('node:path');\nlet sum = 0; for (let i = 0; i < 50; i++) sum += eval('f' + i)(i);\nmodule.exports.sum = sum;\nconsole.log('${greeting} from ' + basename(__filename) + ' in ' + basename(__dirname) + ', sum ' + sum + ', this is exports: ' + (this === module.exports));\n})`;
}

/**
 * Runs the program through the loader in a fresh node, as the launcher does; `save`: write the
 * cache before exiting; `die`: SIGKILL itself right after the program ran (a start that did not
 * survive); `runtime`: what made the cache (the launcher's runtimeIdentity).
 */
function start(programPath: string, cacheDir: string | undefined, options: { save?: boolean; die?: boolean; runtime?: string; nodeArgs?: string[] } = {}): { code: number | null; signal: NodeJS.Signals | null; out: string; err: string } {
  const script = [
    `import { compileProgram } from ${JSON.stringify(loaderUrl)};`,
    `const p = compileProgram({ programPath: ${JSON.stringify(programPath)}, cacheDir: ${JSON.stringify(cacheDir)}, runtime: ${JSON.stringify(options.runtime ?? 'node here')}, now: () => Date.now() });`,
    "console.log('cache: ' + p.cache + (p.why ? ' (' + p.why + ')' : ''));",
    'p.run();',
    options.save ? 'await p.saveCache();' : '',
    options.die ? "process.kill(process.pid, 'SIGKILL');" : 'p.survived();',
  ].join('\n');
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

test.after(() => removeDir(work));

/** A folder `name` with the program in it, and an empty cache directory of its own. */
function setup(name: string, text = programText('hello')): { program: string; cache: string } {
  mkdirSync(join(work, name));
  mkdirSync(join(work, `${name}-cache`));
  const program = join(work, name, 'kassa-main.cjs');
  writeFileSync(program, text);
  return { program, cache: join(work, `${name}-cache`) };
}

test('no cache directory: compiled and run as a CommonJS module, nothing written', () => {
  const { program } = setup('plain');
  const r = start(program, undefined, { save: true });
  assert.is(r.code, 0, r.err);
  const sum = Array.from({ length: 50 }, (_, i) => i * i + 'hello'.length).reduce((a, b) => a + b);
  assert.is(r.out, `cache: off\nhello from kassa-main.cjs in plain, sum ${sum}, this is exports: true\n`);
  assert.equal(readdirSync(join(work, 'plain')), ['kassa-main.cjs']);
});

test('the first start writes the cache, the next takes it; other V8 flags are refused and written over', () => {
  const { program, cache } = setup('cached');
  const file = join(cache, codeCacheFileName(programIdOf(readFileSync(program))));
  const first = start(program, cache, { save: true });
  assert.is(first.code, 0, first.err);
  assert.match(first.out, /^cache: absent\n/);
  assert.ok(existsSync(file), 'written');
  const second = start(program, cache);
  assert.is(second.code, 0, second.err);
  assert.match(second.out, /^cache: used\nhello from kassa-main\.cjs /);
  // V8 hashes its flags into the cache: a node with other flags must not take this one.
  const flagged = start(program, cache, { nodeArgs: ['--no-opt'], save: true });
  assert.is(flagged.code, 0, flagged.err);
  assert.match(flagged.out, /^cache: rejected \(V8 refused it/);
  assert.match(start(program, cache, { nodeArgs: ['--no-opt'] }).out, /^cache: used\n/, 'written again for the flags it runs with');
  // Another Node (or binary, or place): the launcher's runtime line differs; V8 cannot tell within Node 20.
  const moved = start(program, cache, { runtime: 'node elsewhere', save: true });
  assert.match(moved.out, /^cache: unusable \(made by another Node or for another place \(made by: node here; this is: node elsewhere\)\)\n/);
  assert.match(start(program, cache, { runtime: 'node elsewhere' }).out, /^cache: used\n/);
});

test('an updated program never gets the old cache, and its own cache replaces the old file', () => {
  const { program, cache } = setup('updated');
  assert.is(start(program, cache, { save: true }).code, 0);
  const old = readdirSync(cache);
  assert.is(old.length, 1);
  writeFileSync(program, programText('hallo')); // same length, other text
  const r = start(program, cache, { save: true });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^cache: absent\nhallo from /);
  assert.equal(readdirSync(cache), [codeCacheFileName(programIdOf(readFileSync(program)))]);
  assert.is.not(readdirSync(cache)[0], old[0]);
});

test('a damaged cache is not used: compiled, said why, and written again', () => {
  const { program, cache } = setup('damaged');
  assert.is(start(program, cache, { save: true }).code, 0);
  const file = join(cache, readdirSync(cache)[0] ?? '');
  const bytes = readFileSync(file);
  bytes[bytes.length - 100]! ^= 0x01;
  writeFileSync(file, bytes);
  const r = start(program, cache, { save: true });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^cache: unusable \(damaged \(CRC\)\)\nhello from /);
  assert.match(start(program, cache).out, /^cache: used\n/);
});

test('a start that died while using the cache: the next one compiles, and a run writes it again', () => {
  const { program, cache } = setup('died');
  assert.is(start(program, cache, { save: true }).code, 0);
  const died = start(program, cache, { die: true });
  assert.is(died.signal, 'SIGKILL');
  assert.match(died.out, /^cache: used\n/);
  assert.ok(readdirSync(cache).some((f) => f.endsWith('.starting')), 'marked while in use');
  // Suspect data is deleted at once: a start that ends early (taking the mark with it) must not hand it on.
  const after = start(program, cache, { die: true });
  assert.match(after.out, /^cache: unusable \(a start that used it ended within its first seconds \(a crash, or a power cut\); deleted\)\n/);
  assert.equal(readdirSync(cache), [], 'cache and mark deleted');
  assert.match(start(program, cache, { save: true }).out, /^cache: absent\n/);
  assert.equal(readdirSync(cache).filter((f) => !f.endsWith('.v8cache')), [], 'a save leaves no mark');
  assert.match(start(program, cache).out, /^cache: used\n/);
  assert.equal(readdirSync(cache).filter((f) => !f.endsWith('.v8cache')), [], 'a start that survived leaves no mark');
});

test('a mark that cannot be written or removed: the cache is not used, and nothing throws', () => {
  const { program, cache } = setup('unmarkable');
  assert.is(start(program, cache, { save: true }).code, 0);
  const [file] = readdirSync(cache);
  mkdirSync(join(cache, `${file}.starting`, 'inside'), { recursive: true });
  const r = start(program, cache, { save: true });
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /^cache: unusable \(a start that used it ended within its first seconds \(a crash, or a power cut\); deleted\)\n/);
  assert.equal(readdirSync(cache), [file], 'the odd mark went, a new cache came');
  assert.match(start(program, cache).out, /^cache: used\n/);
  // A mark that cannot be made (here a link into a folder that is not there; a read-only disk
  // on a board): without the guard the cache is not used.
  symlinkSync(join(work, 'no-such-folder', 'mark'), join(cache, `${file}.starting`));
  const unguarded = start(program, cache);
  assert.is(unguarded.code, 0, unguarded.err);
  assert.match(unguarded.out, /^cache: unusable \(cannot mark it in use \(ENOENT\)\)\n/);
});

test('the program\'s own error ends the start; a file that is no wrapped program is refused', () => {
  const { program } = setup('failing', '(function (exports, require, module, __filename, __dirname) {"use strict";\nundeclared = 1;\n})');
  const failing = start(program, undefined);
  assert.is.not(failing.code, 0);
  assert.match(failing.err, /ReferenceError: undeclared is not defined/, 'strict, as the program says');
  writeFileSync(program, 'console.log("a plain script");\n');
  const plain = start(program, undefined);
  assert.is.not(plain.code, 0);
  assert.match(plain.err, /is not a program for this launcher: its text is not one function expression/);
  assert.not.match(plain.out, /a plain script/, 'refused before any of it runs');
});

test.run();
