/**
 * The journal's files on disk: names, the directory listing, whole-file reads and the small
 * fsync helpers. A journal directory holds `segment-<10-digit seq>.log` files, read in seq
 * order, and at most one `compact-<seq>.tmp` left by an interrupted compaction. Any other
 * file is not ours and is left alone.
 */
import { constants } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KassaError } from '../core/kassa-error.ts';
import { FRAME_HEADER_BYTES, frameLength, parseRecords, scanRecords } from '../core/record-framing.ts';

const SEGMENT_NAME = /^segment-(\d{10})\.log$/;
const TEMP_NAME = /^compact-(\d{10})\.tmp$/;

/**
 * How the segment that takes appends is opened: O_DSYNC makes every write durable when it
 * returns, "as though each write(2) was followed by a call to fdatasync(2)" (open(2); POSIX
 * synchronized I/O data integrity completion). One thread-pool hop per group commit instead of
 * two (write, then fdatasync), a receipt makes about six (issue 9 §5, CPU per job).
 */
export const APPEND_FLAGS = {
  /** The tail segment found at open(): read (replay) and appended to. */
  existing: constants.O_RDWR | constants.O_DSYNC,
  /** A new segment: 'wx' (a file already under that name is not ours to overwrite). */
  create: constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC,
} as const;

export function segmentName(seq: number): string {
  return `segment-${String(seq).padStart(10, '0')}.log`;
}

/** The file a compaction writes before renaming it over `segmentName(seq)`. */
export function tempName(seq: number): string {
  return `compact-${String(seq).padStart(10, '0')}.tmp`;
}

export interface JournalListing {
  /** Sequence numbers of the segment files, ascending. */
  readonly segments: number[];
  /** Names of temp files left by an interrupted compaction. */
  readonly temps: string[];
}

export async function listJournal(dir: string): Promise<JournalListing> {
  const segments: number[] = [];
  const temps: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const seg = SEGMENT_NAME.exec(entry.name);
    if (seg?.[1] !== undefined) segments.push(Number(seg[1]));
    else if (TEMP_NAME.test(entry.name)) temps.push(entry.name);
  }
  segments.sort((a, b) => a - b);
  return { segments, temps };
}

/** Writes all of `bytes` at `position`; a regular file may still take a write in pieces. */
export async function writeFully(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw new KassaError('JOURNAL', `write made no progress at byte ${position + done}`);
    done += bytesWritten;
  }
}

export interface SegmentContent<R> {
  readonly records: R[];
  /** Bytes that hold whole, valid records; the file's size when nothing is torn. */
  readonly goodLength: number;
  readonly size: number;
}

export async function readSegment<R>(handle: FileHandle): Promise<SegmentContent<R>> {
  const bytes = await handle.readFile();
  const { records, goodLength } = parseRecords<R>(bytes);
  return { records, goodLength, size: bytes.length };
}

/** A place in the journal: the segment `seq` and the byte offset of a record's frame in it. */
export interface RecordPlace {
  readonly seq: number;
  readonly offset: number;
}

/** Segments are read in chunks of this size: the boot and compaction peak is a chunk, not a segment. */
const SCAN_CHUNK_BYTES = 1 << 20;

/**
 * Hands each whole, valid record from byte `from` on to `visit` with its offset, reading the
 * file in chunks. Returns where the valid records end and the file's size (a difference is
 * a torn or damaged tail).
 */
export async function scanSegment<R>(
  handle: FileHandle,
  from: number,
  visit: (record: R, offset: number) => void,
  /** Awaited after each chunk's records were visited (a compaction writes them out then). */
  afterChunk?: () => Promise<void>,
): Promise<{ goodLength: number; size: number }> {
  const { size } = await handle.stat();
  let at = from; // the file offset of buf[0]
  let readTo = Math.min(from, size);
  let buf: Buffer = Buffer.alloc(0);
  for (;;) {
    const base = at;
    const used = scanRecords<R>(buf, (r, offset) => visit(r, base + offset));
    at += used;
    buf = buf.subarray(used);
    await afterChunk?.();
    if (readTo >= size) break;
    const need = buf.length >= FRAME_HEADER_BYTES ? frameLength(buf) : 0;
    // A whole frame that did not scan is damaged: more bytes would not mend it.
    if (need > 0 && need <= buf.length) break;
    const n = Math.min(Math.max(SCAN_CHUNK_BYTES, need - buf.length), size - readTo);
    const next = Buffer.allocUnsafe(buf.length + n);
    buf.copy(next);
    await readFully(handle, next, buf.length, n, readTo);
    readTo += n;
    buf = next;
  }
  return { goodLength: at, size };
}

/** The record whose frame starts at `offset` of segment `seq`; a KassaError if there is none. */
export async function readRecordAt<R>(dir: string, place: RecordPlace): Promise<R> {
  const [record] = await readRecordsAt<R>(dir, [place]);
  if (record === undefined) throw new KassaError('JOURNAL', `${segmentName(place.seq)}: no valid record at byte ${place.offset}`);
  return record;
}

/**
 * The records whose frames start at `places`, in the order given; undefined where no whole,
 * valid record starts. Each segment is opened once; for several records it is read forward
 * in large chunks, so many records (a boot bringing back thousands of queued jobs) cost a few
 * reads, not several each; one record costs two reads (its header, then its frame).
 */
export async function readRecordsAt<R>(dir: string, places: readonly RecordPlace[]): Promise<(R | undefined)[]> {
  const found: (R | undefined)[] = places.map(() => undefined);
  const bySegment = new Map<number, number[]>();
  places.forEach((p, i) => {
    const list = bySegment.get(p.seq);
    if (list) list.push(i);
    else bySegment.set(p.seq, [i]);
  });
  const ahead = places.length > 1 ? SCAN_CHUNK_BYTES : 0;
  for (const [seq, wanted] of bySegment) {
    const handle = await open(join(dir, segmentName(seq)), 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      const { size } = await handle.stat();
      let chunk = Buffer.alloc(0);
      let chunkAt = 0;
      /** Makes bytes [from, from + length) of the segment readable in `chunk`; false past its end. */
      const have = async (from: number, length: number): Promise<boolean> => {
        if (from + length > size) return false;
        if (from >= chunkAt && from + length <= chunkAt + chunk.length) return true;
        chunk = Buffer.allocUnsafe(Math.min(Math.max(ahead, length), size - from));
        chunkAt = from;
        await readFully(handle, chunk, 0, chunk.length, from);
        return true;
      };
      for (const i of wanted.sort((a, b) => (places[a]?.offset ?? 0) - (places[b]?.offset ?? 0))) {
        const offset = places[i]?.offset ?? 0;
        if (!(await have(offset, FRAME_HEADER_BYTES))) continue;
        const length = frameLength(chunk.subarray(offset - chunkAt));
        if (!(await have(offset, length))) continue;
        scanRecords<R>(chunk.subarray(offset - chunkAt, offset - chunkAt + length), (r) => void (found[i] ??= r));
      }
    } finally {
      await handle.close();
    }
  }
  return found;
}

async function readFully(handle: FileHandle, into: Buffer, at: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, at + done, length - done, position + done);
    if (bytesRead === 0) throw new KassaError('JOURNAL', `unexpected end of a segment at byte ${position + done}`);
    done += bytesRead;
  }
}

export async function readSegmentFile<R>(dir: string, seq: number): Promise<SegmentContent<R>> {
  const handle = await open(join(dir, segmentName(seq)), 'r');
  try {
    return await readSegment<R>(handle);
  } finally {
    await handle.close();
  }
}
