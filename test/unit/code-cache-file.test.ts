/**
 * The code cache file (firmware/launch/code-cache-file.ts) and what the launcher reads from its
 * environment (launch-settings.ts): a cache is handed to V8 only for the program and the Node
 * it was made for, and only whole.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { codeCacheFileName, decodeCodeCache, encodeCodeCache, programIdOf } from '../../firmware/launch/code-cache-file.ts';
import { codeCacheDirectory, runtimeIdentity, type NodeFacts } from '../../firmware/launch/launch-settings.ts';

const test = suite('code cache file');
const program = new TextEncoder().encode('console.log("the program");');
const other = new TextEncoder().encode('console.log("the updated");'); // same length, other text
const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256);
const node: NodeFacts = { version: 'v20.20.2', arch: 'x64', v8: '11.3.244.8-node.33', binary: { path: '/usr/bin/node', size: 120_000_000, mtimeMs: 1_760_000_000_123.5 } };
const here = runtimeIdentity(node, '/opt/kassa/slots/a/kassa-main.cjs');

test('what is written for a program is read back for it, byte for byte', () => {
  const decoded = decodeCodeCache(encodeCodeCache(programIdOf(program), here, data), programIdOf(program), here);
  assert.ok('data' in decoded);
  assert.equal([...decoded.data], [...data]);
});

test('a program of the same length but other text gets neither the file name nor the data', () => {
  assert.is(program.length, other.length);
  assert.is.not(codeCacheFileName(programIdOf(program)), codeCacheFileName(programIdOf(other)));
  assert.equal(decodeCodeCache(encodeCodeCache(programIdOf(program), here, data), programIdOf(other), here), { unusable: 'made for another program' });
});

test('another Node release (same V8 version), another binary or another slot: not used, and the line says both', () => {
  const file = encodeCodeCache(programIdOf(program), here, data);
  const others = [
    runtimeIdentity({ ...node, version: 'v20.18.0', v8: '11.3.244.8-node.23' }, '/opt/kassa/slots/a/kassa-main.cjs'),
    runtimeIdentity({ ...node, binary: { ...node.binary, mtimeMs: node.binary.mtimeMs + 1000 } }, '/opt/kassa/slots/a/kassa-main.cjs'),
    runtimeIdentity(node, '/opt/kassa/slots/b/kassa-main.cjs'),
  ];
  for (const runtime of others) {
    const r = decodeCodeCache(file, programIdOf(program), runtime);
    assert.equal(r, { unusable: `made by another Node or for another place (made by: ${here}; this is: ${runtime})` });
  }
});

test('the file name says the program: CRC-32 in hex and length', () => {
  assert.match(codeCacheFileName(programIdOf(program)), new RegExp(`^kassa-main-[0-9a-f]{8}-${program.length}\\.v8cache$`));
});

test('one flipped bit, a torn end or a foreign file is not used', () => {
  const id = programIdOf(program);
  const file = encodeCodeCache(id, here, data);
  const flipped = file.slice();
  flipped[file.length - 7]! ^= 0x10;
  assert.equal(decodeCodeCache(flipped, id, here), { unusable: 'damaged (CRC)' });
  assert.equal(decodeCodeCache(file.subarray(0, file.length - 1), id, here), { unusable: 'damaged (CRC)' });
  assert.equal(decodeCodeCache(file.subarray(0, 30), id, here), { unusable: 'damaged (cut short)' });
  assert.equal(decodeCodeCache(file.subarray(0, 10), id, here), { unusable: 'not a code cache file' });
  assert.equal(decodeCodeCache(new TextEncoder().encode('{"not":"a cache"} and more bytes'), id, here), { unusable: 'not a code cache file' });
});

test('the runtime line is ASCII whatever the paths hold', () => {
  const cyrillic = runtimeIdentity(node, '/opt/касса/kassa-main.cjs');
  assert.is(cyrillic.search(/[^\x20-\x7e]/), -1);
  assert.ok('data' in decodeCodeCache(encodeCodeCache(programIdOf(program), cyrillic, data), programIdOf(program), cyrillic));
  assert.throws(() => encodeCodeCache(programIdOf(program), 'касса', data), /ASCII/);
});

test('the cache directory: CacheDirectory=, else StateDirectory=/code-cache (a unit from before), else none', () => {
  assert.equal(codeCacheDirectory({ CACHE_DIRECTORY: '/var/cache/kassa', STATE_DIRECTORY: '/var/lib/kassa' }), { dir: '/var/cache/kassa', stale: '/var/lib/kassa/code-cache' });
  assert.equal(codeCacheDirectory({ CACHE_DIRECTORY: '/var/cache/kassa:/var/cache/other' }), { dir: '/var/cache/kassa' });
  assert.equal(codeCacheDirectory({ STATE_DIRECTORY: '/var/lib/kassa' }), { dir: '/var/lib/kassa/code-cache' });
  assert.equal(codeCacheDirectory({ CACHE_DIRECTORY: '', STATE_DIRECTORY: '/var/lib/kassa:/x' }), { dir: '/var/lib/kassa/code-cache' });
  assert.equal(codeCacheDirectory({}), {});
});

test.run();
