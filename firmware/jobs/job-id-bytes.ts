/**
 * A job id as bytes, for the id arena of the finished-job index (job-id-table.ts, issue 9 §5).
 * The encoding is one-to-one — each kind decodes back to the very string — so two ids are the
 * same exactly when kind, length and bytes are (a lookup never takes a new job for a repeat):
 *   UUID_LOWER / UUID_UPPER  a canonical 8-4-4-4-12 UUID whose letters are all one case:
 *                            16 bytes (ATOL external ids are usually UUIDs: 36 → 16 bytes)
 *   UTF8                     any other id without UTF-16 surrogates (UTF-8 is exact for those)
 *   UTF16                    an id with a surrogate: its code units as they are. The job schema
 *                            allows any character but controls (1–64 of them), and JSON lets a
 *                            lone surrogate through, which UTF-8 would turn into U+FFFD: two
 *                            ids would meet.
 * An id's `meta` is kind << 14 | byte length.
 */
const UTF8 = 0;
const UUID_LOWER = 1;
const UUID_UPPER = 2;
const UTF16 = 3;
const KIND_SHIFT = 14;
export const MAX_ID_BYTES = (1 << KIND_SHIFT) - 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEX = '0123456789abcdef';
const SURROGATE = /[\ud800-\udfff]/;

/** Bytes an id takes at most in `encodeId`'s buffer. */
export const maxEncodedBytes = (id: string): number => 3 * id.length;

export const idBytes = (meta: number): number => meta & MAX_ID_BYTES;

/** Writes `id` into `out` (at least maxEncodedBytes long) from 0; returns its meta. */
export function encodeId(id: string, out: Uint8Array): number {
  let kind = packUuid(id, out);
  let len = 16;
  if (kind === UTF8 && SURROGATE.test(id)) {
    kind = UTF16;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      out[2 * i] = c & 0xff;
      out[2 * i + 1] = c >>> 8;
    }
    len = 2 * id.length;
  } else if (kind === UTF8) {
    len = encoder.encodeInto(id, out).written;
  }
  if (len > MAX_ID_BYTES) throw new RangeError(`a job id of ${len} bytes (at most ${MAX_ID_BYTES})`);
  return (kind << KIND_SHIFT) | len;
}

export function decodeId(bytes: Uint8Array, from: number, meta: number): string {
  const b = bytes.subarray(from, from + idBytes(meta));
  const kind = meta >>> KIND_SHIFT;
  if (kind === UTF8) return decoder.decode(b);
  let s = '';
  if (kind === UTF16) {
    for (let i = 0; i < b.length; i += 2) s += String.fromCharCode((b[i] ?? 0) | ((b[i + 1] ?? 0) << 8));
    return s;
  }
  b.forEach((x, i) => (s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + HEX.charAt(x >>> 4) + HEX.charAt(x & 15)));
  return kind === UUID_UPPER ? s.toUpperCase() : s;
}

/** FNV-1a over the encoded bytes and the kind, then murmur3's finalizer (so the top byte, a tag, mixes too). */
export function idHash(bytes: Uint8Array, from: number, meta: number): number {
  let h = 0x811c9dc5 ^ (meta >>> KIND_SHIFT);
  const end = from + idBytes(meta);
  for (let i = from; i < end; i++) h = Math.imul(h ^ (bytes[i] ?? 0), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Packs a canonical UUID of one letter case into out[0..16); returns its kind, or UTF8 if it is not one. */
function packUuid(id: string, out: Uint8Array): number {
  if (id.length !== 36) return UTF8;
  let cases = 0;
  for (let i = 0, n = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 0x2d) return UTF8;
      i++;
    }
    const hi = id.charCodeAt(i);
    const lo = id.charCodeAt(i + 1);
    const a = nibble(hi);
    const b = nibble(lo);
    if ((a | b) < 0) return UTF8;
    cases |= caseOf(hi) | caseOf(lo);
    out[n++] = (a << 4) | b;
  }
  return cases === 3 ? UTF8 : cases === 2 ? UUID_UPPER : UUID_LOWER;
}

/** A hex digit's value, or -1. */
function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** 1 for a lowercase hex letter, 2 for an uppercase one, 0 for a digit. */
const caseOf = (c: number): number => (c >= 0x61 ? 1 : c >= 0x41 ? 2 : 0);
