/**
 * Framing of durable records: [length uint32 LE][CRC-32 uint32 LE][cbor-x payload].
 * One record is one atomic change: a torn or corrupted last record fails its length or CRC
 * check and is dropped at load, with everything after it. Shared by the job journal and the
 * FN emulator's state log (one codec, one contract suite). Pure.
 */
import { crc32 } from 'node:zlib';
import { Encoder } from 'cbor-x';

const HEADER = 8;
const cbor = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true });

export function frameRecord(record: unknown): Uint8Array {
  const payload = cbor.encode(record);
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, HEADER);
  return out;
}

export interface ParsedRecords<T> {
  readonly records: T[];
  /** Bytes from the start that hold whole, valid records; anything after is a torn tail. */
  readonly goodLength: number;
}

export function parseRecords<T>(bytes: Uint8Array): ParsedRecords<T> {
  const records: T[] = [];
  const goodLength = scanRecords<T>(bytes, (r) => void records.push(r));
  return { records, goodLength };
}

/**
 * Hands every whole, valid record to `visit` with the byte offset of its frame; returns the
 * bytes that hold whole, valid records (a frame cut at the end of `bytes` stops the scan).
 */
export function scanRecords<T>(bytes: Uint8Array, visit: (record: T, offset: number) => void): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + HEADER <= bytes.length) {
    const length = view.getUint32(at, true);
    if (at + HEADER + length > bytes.length) break;
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== view.getUint32(at + 4, true)) break;
    let record: T;
    try {
      record = cbor.decode(payload) as T;
    } catch {
      break;
    }
    visit(record, at);
    at += HEADER + length;
  }
  return at;
}

/** The payload length a frame header announces (`header`: at least FRAME_HEADER_BYTES). */
export function frameLength(header: Uint8Array): number {
  return HEADER + new DataView(header.buffer, header.byteOffset, header.byteLength).getUint32(0, true);
}

export const FRAME_HEADER_BYTES = HEADER;

/** cbor-x gives byte strings back as Buffers; the project speaks Uint8Array. */
export function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  return new Uint8Array(v as ArrayLike<number>);
}
