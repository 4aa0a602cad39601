/**
 * Durable memory of the FN emulator: one append-only file of records, each
 *   [length uint32 LE][CRC-32 uint32 LE][cbor-x payload],
 * written and fsynced before the emulator answers. A record is the whole new small state
 * plus what the command added (a document, an OFD acknowledgement), so one append is one
 * atomic change: a crash (or a simulated power cut) leaves either the old state or the new,
 * and a torn last record is detected by its length or CRC and dropped at load, like a
 * real FN that loses an unfinished operation. The file is truncated to its last good record.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Encoder } from 'cbor-x';
import type { ArchivedDocument, FnState, OfdAck } from './fn-emulator-state.ts';

export interface StoreRecord {
  readonly state: FnState;
  readonly document?: ArchivedDocument;
  readonly ack?: OfdAck;
}

export interface LoadedStore {
  readonly state: FnState | undefined;
  readonly documents: Map<number, ArchivedDocument>;
  readonly acks: Map<number, OfdAck>;
  /** Bytes dropped from a torn tail at load. */
  readonly droppedBytes: number;
}

export interface FnStateStore {
  load(): LoadedStore;
  append(record: StoreRecord): void;
  close(): void;
  readonly description: string;
}

const HEADER = 8;
const cbor = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true });

/** The real thing: a file that survives the emulator's process. */
export function fileStateStore(path: string): FnStateStore {
  let fd: number | undefined;
  return {
    description: `file ${path}`,
    load() {
      const bytes = existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0);
      const { records, goodLength } = parseRecords(bytes);
      fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
      if (goodLength < bytes.length) {
        ftruncateSync(fd, goodLength);
        fsyncSync(fd);
      }
      return { ...fold(records), droppedBytes: bytes.length - goodLength };
    },
    append(record) {
      if (fd === undefined) throw new Error('state store used before load()');
      const frame = frameRecord(record);
      writeSync(fd, frame, 0, frame.length, null);
      fsyncSync(fd);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Keeps records in memory only: for tests and benchmarks that need no restart. */
export function memoryStateStore(): FnStateStore & { readonly bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    description: 'memory',
    load: () => ({ ...fold(parseRecords(concatAll(chunks)).records), droppedBytes: 0 }),
    append: (record) => void chunks.push(frameRecord(record)),
    close: () => {},
    bytes: () => concatAll(chunks),
  };
}

function frameRecord(record: StoreRecord): Uint8Array {
  const payload = cbor.encode(record);
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, HEADER);
  return out;
}

function parseRecords(bytes: Uint8Array): { records: StoreRecord[]; goodLength: number } {
  const records: StoreRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + HEADER <= bytes.length) {
    const length = view.getUint32(at, true);
    if (at + HEADER + length > bytes.length) break;
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== view.getUint32(at + 4, true)) break;
    try {
      records.push(cbor.decode(payload) as StoreRecord);
    } catch {
      break;
    }
    at += HEADER + length;
  }
  return { records, goodLength: at };
}

function fold(records: readonly StoreRecord[]): Omit<LoadedStore, 'droppedBytes'> {
  const documents = new Map<number, ArchivedDocument>();
  const acks = new Map<number, OfdAck>();
  let state: FnState | undefined;
  for (const r of records) {
    state = r.state;
    if (r.document) documents.set(r.document.fd, { ...r.document, tlv: toBytes(r.document.tlv), summary: toBytes(r.document.summary) });
    if (r.ack) acks.set(r.ack.fd, { ...r.ack, operatorSign: toBytes(r.ack.operatorSign) });
  }
  return { state, documents, acks };
}

function toBytes(v: Uint8Array): Uint8Array {
  return v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(v as ArrayLike<number>);
}

function concatAll(chunks: readonly Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
