/**
 * The file that keeps V8's code cache of the register's program between starts (issue 9 §5,
 * boot to ready; program-loader.ts). Pure.
 *
 *   [magic "KASSAV8C" 8][program length uint32 LE][program CRC-32 uint32 LE][data CRC-32 uint32 LE]
 *   [runtime length uint16 LE][runtime, ASCII][V8's cached data]
 *
 * What a cache must never meet, and why each is in the header:
 * - another program: V8 accepts cached data for any source of the same length (its
 *   SerializedCodeData sanity check hashes the length and origin, not the text);
 * - another Node: V8 checks its own version, but every Node 20 release carries V8 11.3.244.8
 *   with only Node's "-node.N" suffix changed, and a cache of Node 20.20 crashes Node 20.18
 *   (SIGSEGV, measured) instead of being refused. So the runtime (launcher: nodeIdentity)
 *   names the Node version, its V8, the binary itself and the program's path;
 * - damage: V8 does not check the payload's checksum in release builds, and a cache torn or
 *   bit-flipped on flash must be recompiled, not run.
 * V8 itself still refuses data made with other V8 flags (`vm.Script#cachedDataRejected`).
 */
import { crc32 } from 'node:zlib';

const MAGIC = 'KASSAV8C';
const FIXED = 22;

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

/** `runtime`: ASCII, at most 65 535 characters (what made the data: see the header comment). */
export function encodeCodeCache(id: ProgramId, runtime: string, data: Uint8Array): Uint8Array {
  const runtimeBytes = new TextEncoder().encode(runtime);
  if (runtimeBytes.length > 0xffff || runtimeBytes.length !== runtime.length) throw new RangeError('the runtime must be ASCII, at most 65 535 characters');
  const out = new Uint8Array(FIXED + runtimeBytes.length + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, id.length, true);
  view.setUint32(12, id.crc, true);
  view.setUint32(16, crc32(data), true);
  view.setUint16(20, runtimeBytes.length, true);
  out.set(runtimeBytes, FIXED);
  out.set(data, FIXED + runtimeBytes.length);
  return out;
}

/**
 * V8's cached data from a cache file, when the file is whole and was made for this program by
 * this runtime; otherwise why not (for the one line the loader prints).
 */
export function decodeCodeCache(file: Uint8Array, id: ProgramId, runtime: string): { readonly data: Uint8Array } | { readonly unusable: string } {
  if (file.length < FIXED || new TextDecoder().decode(file.subarray(0, 8)) !== MAGIC) return { unusable: 'not a code cache file' };
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(8, true) !== id.length || view.getUint32(12, true) !== id.crc) return { unusable: 'made for another program' };
  const runtimeEnd = FIXED + view.getUint16(20, true);
  if (runtimeEnd > file.length) return { unusable: 'damaged (cut short)' };
  const madeBy = new TextDecoder().decode(file.subarray(FIXED, runtimeEnd));
  if (madeBy !== runtime) return { unusable: `made by another Node or for another place (made by: ${madeBy}; this is: ${runtime})` };
  const data = file.subarray(runtimeEnd);
  if (crc32(data) !== view.getUint32(16, true)) return { unusable: 'damaged (CRC)' };
  return { data };
}
