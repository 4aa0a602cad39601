/**
 * The journal's files on disk: names, the directory listing, whole-file reads and the small
 * fsync helpers. A journal directory holds `segment-<10-digit seq>.log` files, read in seq
 * order, and at most one `compact-<seq>.tmp` left by an interrupted compaction. Any other
 * file is not ours and is left alone.
 */
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KassaError } from '../core/kassa-error.ts';
import { parseRecords } from '../core/record-framing.ts';

const SEGMENT_NAME = /^segment-(\d{10})\.log$/;
const TEMP_NAME = /^compact-(\d{10})\.tmp$/;

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

export async function readSegmentFile<R>(dir: string, seq: number): Promise<SegmentContent<R>> {
  const handle = await open(join(dir, segmentName(seq)), 'r');
  try {
    return await readSegment<R>(handle);
  } finally {
    await handle.close();
  }
}
