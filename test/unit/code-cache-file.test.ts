/**
 * The code cache file (firmware/launch/code-cache-file.ts): a cache is handed to V8 only for
 * the program it was made for, and only whole.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { codeCacheFileName, decodeCodeCache, encodeCodeCache, programIdOf } from '../../firmware/launch/code-cache-file.ts';

const test = suite('code cache file');
const program = new TextEncoder().encode('console.log("the program");');
const other = new TextEncoder().encode('console.log("the updated");'); // same length, other text
const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 31) % 256);

test('what is written for a program is read back for it, byte for byte', () => {
  const decoded = decodeCodeCache(encodeCodeCache(programIdOf(program), data), programIdOf(program));
  assert.ok('data' in decoded);
  assert.equal([...decoded.data], [...data]);
});

test('a program of the same length but other text gets neither the file name nor the data', () => {
  assert.is(program.length, other.length);
  assert.is.not(codeCacheFileName(programIdOf(program)), codeCacheFileName(programIdOf(other)));
  assert.equal(decodeCodeCache(encodeCodeCache(programIdOf(program), data), programIdOf(other)), { unusable: 'made for another program' });
});

test('the file name says the program: CRC-32 in hex and length', () => {
  assert.match(codeCacheFileName(programIdOf(program)), new RegExp(`^kassa-main-[0-9a-f]{8}-${program.length}\\.v8cache$`));
});

test('one flipped bit, a torn end or a foreign file is not used', () => {
  const id = programIdOf(program);
  const file = encodeCodeCache(id, data);
  const flipped = file.slice();
  flipped[file.length - 7]! ^= 0x10;
  assert.equal(decodeCodeCache(flipped, id), { unusable: 'damaged (CRC)' });
  assert.equal(decodeCodeCache(file.subarray(0, file.length - 1), id), { unusable: 'damaged (CRC)' });
  assert.equal(decodeCodeCache(file.subarray(0, 10), id), { unusable: 'not a code cache file' });
  assert.equal(decodeCodeCache(new TextEncoder().encode('{"not":"a cache"} and more bytes'), id), { unusable: 'not a code cache file' });
});

test.run();
