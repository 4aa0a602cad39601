/**
 * The file that keeps V8's code cache of the register's program between starts (issue 9 §5,
 * boot to ready; program-loader.ts). Pure.
 *
 *   [magic "KASSAV8C" 8][program length uint32 LE][program CRC-32 uint32 LE][data CRC-32 uint32 LE][V8's cached data]
 *
 * Why the program's length and CRC: V8 accepts cached data for any source of the same length
 * (its SerializedCodeData sanity check hashes the length and origin, not the text), so a
 * cache must never meet another program. Why the data's CRC: V8 does not check the payload's
 * checksum in release builds, and a cache torn or bit-flipped on flash must be recompiled,
 * not run. V8 itself still rejects data from another V8 version or other V8 flags
 * (`vm.Script#cachedDataRejected`).
 */
import { crc32 } from 'node:zlib';

const MAGIC = 'KASSAV8C';
const HEADER = 20;

/** What identifies a program: its length in bytes and CRC-32. */
export interface ProgramId {
  readonly length: number;
  readonly crc: number;
}

export function programIdOf(program: Uint8Array): ProgramId {
  return { length: program.length, crc: crc32(program) };
}

/** The cache file's name for that program: another program (an update) has another name. */
export function codeCacheFileName(id: ProgramId): string {
  return `kassa-main-${id.crc.toString(16).padStart(8, '0')}-${id.length}.v8cache`;
}

export function encodeCodeCache(id: ProgramId, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, id.length, true);
  view.setUint32(12, id.crc, true);
  view.setUint32(16, crc32(data), true);
  out.set(data, HEADER);
  return out;
}

/**
 * V8's cached data from a cache file, when the file is whole and was made for this program;
 * otherwise why not (for the one line the loader prints).
 */
export function decodeCodeCache(file: Uint8Array, id: ProgramId): { readonly data: Uint8Array } | { readonly unusable: string } {
  if (file.length < HEADER || new TextDecoder().decode(file.subarray(0, 8)) !== MAGIC) return { unusable: 'not a code cache file' };
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(8, true) !== id.length || view.getUint32(12, true) !== id.crc) return { unusable: 'made for another program' };
  const data = file.subarray(HEADER);
  if (crc32(data) !== view.getUint32(16, true)) return { unusable: 'damaged (CRC)' };
  return { data };
}
