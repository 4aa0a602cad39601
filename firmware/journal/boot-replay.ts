/**
 * The journal's boot replay (journal.ts `open`): reads every segment in order and hands each
 * record to the caller with its place, chunk by chunk (the boot peak of a long journal is one
 * read chunk, not the whole history). Only the last segment can hold a torn write — a segment
 * is closed only after its last batch was fsynced — so damage in a closed segment is refused
 * with a KassaError: dropping it would silently lose acknowledged jobs (DESIGN.md §1
 * invariant 5), so a person has to look.
 *
 * `after`: replay only the records after this one (the caller holds a folded view of
 * everything up to it, e.g. the job ledger's index file); closed segments before it are not read.
 */
import { mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { syncDir } from '../core/atomic-file.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { APPEND_FLAGS, listJournal, scanSegment, segmentName, type RecordPlace } from './segment-files.ts';

export interface Replayed {
  /** Size of every closed segment by seq. */
  readonly closedSizes: ReadonlyMap<number, number>;
  /** Records handed over. */
  readonly count: number;
  /** The last segment, open for reading and writing (created when the journal had none). */
  readonly handle: FileHandle;
  readonly seq: number;
  /** Bytes of whole records in the last segment, and its size on disk (more: a torn tail). */
  readonly goodLength: number;
  readonly size: number;
}

/** `segments`: the seqs of the segment files, ascending. The caller closes the handle (also when this throws after opening it). */
export async function replaySegments<R>(dir: string, segments: readonly number[], deliver: (record: R, place: RecordPlace) => void, after: RecordPlace | undefined, onHandle: (h: FileHandle) => void): Promise<Replayed> {
  let count = 0;
  const closedSizes = new Map<number, number>();
  const replay = async (h: FileHandle, seq: number): Promise<{ goodLength: number; size: number }> => {
    const skip = after && after.seq === seq ? after.offset : -1;
    return scanSegment<R>(h, Math.max(skip, 0), (r, offset) => {
      if (offset === skip) return;
      count++;
      deliver(r, { seq, offset });
    });
  };
  for (const seq of segments.slice(0, -1)) {
    if (after && seq < after.seq) {
      closedSizes.set(seq, (await stat(join(dir, segmentName(seq)))).size);
      continue;
    }
    const closed = await open(join(dir, segmentName(seq)), 'r');
    const content = await replay(closed, seq).finally(() => closed.close());
    if (content.goodLength < content.size) {
      throw new KassaError('JOURNAL', `${segmentName(seq)}: closed segment damaged at byte ${content.goodLength} of ${content.size}`);
    }
    closedSizes.set(seq, content.size);
  }
  const seq = segments[segments.length - 1] ?? 1;
  const handle = await open(join(dir, segmentName(seq)), segments.length === 0 ? APPEND_FLAGS.create : APPEND_FLAGS.existing);
  onHandle(handle);
  const content = await replay(handle, seq);
  return { closedSizes, count, handle, seq, ...content };
}

/** mkdir -p, then fsync the parent of every directory it created so the path survives a power cut. */
export async function makeDirDurably(dir: string, onFsync: () => void): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    await syncDir(dirname(d));
    onFsync();
    if (d === resolve(created)) break;
  }
}

/** Temp files mean a compaction died before its rename: the originals are all still here. */
export async function deleteTemps(dir: string, onFsync: () => void, log: Log): Promise<void> {
  const { temps } = await listJournal(dir);
  if (temps.length === 0) return;
  for (const name of temps) await unlink(join(dir, name));
  await syncDir(dir);
  onFsync();
  log.warn('deleted temp files of an interrupted compaction', { files: temps });
}
