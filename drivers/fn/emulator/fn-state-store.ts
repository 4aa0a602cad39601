/**
 * Durable memory of the FN emulator: one append-only file of records (firmware/core/
 * record-framing.ts),
 * written and fsynced before the emulator answers. A record is the whole new small state
 * plus what the command added (a document, an OFD acknowledgement), so one append is one
 * atomic change: a crash (or a simulated power cut) leaves either the old state or the new,
 * and a torn last record is detected by its length or CRC and dropped at load, like a
 * real FN that loses an unfinished operation. The file is truncated to its last good record.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { concatBytes } from '../../../firmware/core/bytes.ts';
import { asBytes, frameRecord, parseRecords } from '../../../firmware/core/record-framing.ts';
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


/** The real thing: a file that survives the emulator's process. */
export function fileStateStore(path: string): FnStateStore {
  let fd: number | undefined;
  /** Where the next record goes: the end of the last good record (explicit, never the fd's own offset). */
  let end = 0;
  return {
    description: `file ${path}`,
    load() {
      const bytes = existsSync(path) ? new Uint8Array(readFileSync(path)) : new Uint8Array(0);
      const { records, goodLength } = parseRecords<StoreRecord>(bytes);
      fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
      if (goodLength < bytes.length) {
        ftruncateSync(fd, goodLength);
        fsyncSync(fd);
      }
      end = goodLength;
      return { ...fold(records), droppedBytes: bytes.length - goodLength };
    },
    append(record) {
      if (fd === undefined) throw new Error('state store used before load()');
      const frame = frameRecord(record);
      let written = 0;
      while (written < frame.length) written += writeSync(fd, frame, written, frame.length - written, end + written);
      fsyncSync(fd);
      end += frame.length;
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
    load: () => ({ ...fold(parseRecords<StoreRecord>(concatBytes(chunks)).records), droppedBytes: 0 }),
    append: (record) => void chunks.push(frameRecord(record)),
    close: () => {},
    bytes: () => concatBytes(chunks),
  };
}

function fold(records: readonly StoreRecord[]): Omit<LoadedStore, 'droppedBytes'> {
  const documents = new Map<number, ArchivedDocument>();
  const acks = new Map<number, OfdAck>();
  let state: FnState | undefined;
  for (const r of records) {
    state = r.state;
    if (r.document) documents.set(r.document.fd, { ...r.document, tlv: asBytes(r.document.tlv), summary: asBytes(r.document.summary) });
    if (r.ack) acks.set(r.ack.fd, { ...r.ack, operatorSign: asBytes(r.ack.operatorSign) });
  }
  return { state, documents, acks };
}

