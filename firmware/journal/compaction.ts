/**
 * Compaction of the closed segments of a journal: read them all, let the caller reduce the
 * records to the ones that still matter, and put those in place of the originals.
 *
 * The steps, and what a crash after each leaves behind (the replay is folded by the caller):
 *   1. write `compact-<newest>.tmp`, fsync it      → originals intact, temp deleted at open:
 *                                                    the reduced records are applied *instead
 *                                                    of* the originals, i.e. never;
 *   2. rename it over `segment-<newest>.log`,      → the newest original is replaced by the
 *      fsync the directory                           reduced records; the older originals are
 *                                                    still there and replay *before* them;
 *   3. delete the older originals (newest first),  → the oldest originals replay before the
 *      fsync the directory                           reduced records, the rest are gone.
 * So a replay is always: the originals or an oldest part of them, then (maybe) the reduced
 * records, then everything appended after the compaction began. Deleting newest first keeps
 * the leftover a prefix of history, so first occurrences still come in append order, and a
 * leftover original is always older than the reduced record for its key that follows it.
 *
 * What `reduce` must promise (the journal cannot check it): its records are absolute — "key
 * k is now v", not "add 1 to k" — so that applying them after any of the originals
 * overwrites what those originals did. Last record per key does. A key that reduce drops
 * altogether may come back from a leftover original until the next compaction drops it
 * again: drop only what is harmless to see again (a finished job's final record is), or
 * keep a tombstone. Leftover originals go away with the next compaction.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { KassaError } from '../core/kassa-error.ts';
import { frameRecord } from '../core/record-framing.ts';
import { readSegmentFile, segmentName, tempName, writeFully } from './segment-files.ts';
import { syncDir } from '../core/atomic-file.ts';

/** Frames are gathered into writes of about this size: few syscalls, bounded extra memory. */
const WRITE_CHUNK_BYTES = 1 << 20;

export interface CompactionContext {
  readonly dir: string;
  /** Called once per fsync (file or directory), for the journal's counters. */
  readonly onFsync: () => void;
}

export interface CompactionResult {
  readonly before: number;
  readonly after: number;
}

/** Compacts the closed segments `closed` (ascending, non-empty) into one named after the last of them. */
export async function compactSegments<R>(
  ctx: CompactionContext,
  closed: readonly number[],
  reduce: (records: R[]) => R[],
): Promise<CompactionResult> {
  const newest = closed[closed.length - 1];
  if (newest === undefined) return { before: 0, after: 0 };
  const records: R[] = [];
  for (const seq of closed) {
    const content = await readSegmentFile<R>(ctx.dir, seq);
    // A closed segment was fsynced whole before the next one existed: damage is not a torn write.
    if (content.goodLength < content.size) {
      throw new KassaError('JOURNAL', `${segmentName(seq)}: closed segment damaged at byte ${content.goodLength} of ${content.size}`);
    }
    for (const r of content.records) records.push(r);
  }
  const before = records.length;
  const kept = reduce(records);

  const temp = join(ctx.dir, tempName(newest));
  await writeRecords(temp, kept, ctx);
  await rename(temp, join(ctx.dir, segmentName(newest)));
  await syncDir(ctx.dir);
  ctx.onFsync();
  for (const seq of closed.slice(0, -1).reverse()) await unlink(join(ctx.dir, segmentName(seq)));
  if (closed.length > 1) {
    await syncDir(ctx.dir);
    ctx.onFsync();
  }
  return { before, after: kept.length };
}

async function writeRecords<R>(path: string, records: readonly R[], ctx: CompactionContext): Promise<void> {
  const handle = await open(path, 'w');
  try {
    let position = 0;
    let chunk: Uint8Array[] = [];
    let chunkBytes = 0;
    const flush = async (): Promise<void> => {
      const bytes = Buffer.concat(chunk, chunkBytes);
      await writeFully(handle, bytes, position);
      position += bytes.length;
      chunk = [];
      chunkBytes = 0;
    };
    for (const r of records) {
      const frame = frameRecord(r);
      chunk.push(frame);
      chunkBytes += frame.length;
      if (chunkBytes >= WRITE_CHUNK_BYTES) await flush();
    }
    if (chunkBytes > 0) await flush();
    await handle.sync();
    ctx.onFsync();
  } catch (e) {
    await handle.close().catch(() => {});
    // The temp file is garbage now; open() would delete it too, this only saves the space early.
    await unlink(path).catch(() => {});
    throw e;
  }
  await handle.close();
}
