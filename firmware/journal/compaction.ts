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
 * What a plan must promise (the journal cannot check it): its records are absolute — "key
 * k is now v", not "add 1 to k" — so that applying them after any of the originals
 * overwrites what those originals did. Last record per key does. A key that a plan drops
 * altogether may come back from a leftover original until the next compaction drops it
 * again: drop only what is harmless to see again (a finished job's final record is), or
 * keep a tombstone. Leftover originals go away with the next compaction.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KassaError } from '../core/kassa-error.ts';
import { frameRecord } from '../core/record-framing.ts';
import { scanSegment, segmentName, tempName, writeFully, type RecordPlace } from './segment-files.ts';
import { syncDir } from '../core/atomic-file.ts';

export interface CompactionContext {
  readonly dir: string;
  /** Called once per fsync (file or directory), for the journal's counters. */
  readonly onFsync: () => void;
  /** Runs `swap` (the renames and deletes) while no read of a record is under way. */
  readonly exclusive: (swap: () => Promise<void>) => Promise<void>;
}

export interface CompactionResult {
  readonly before: number;
  readonly after: number;
}

/**
 * What a compaction keeps, decided record by record as the closed segments stream past, so
 * that its memory is a read chunk and the plan's own state, not the history (issue 9 §5).
 */
export interface CompactionPlan<R> {
  /** Told once the journal has rotated: segments from `openSeq` on are not compacted. */
  start?(openSeq: number): void;
  /** The records to write for `record`, found at `place`: none, itself, or others. */
  visit(record: R, place: RecordPlace): readonly R[];
  /** Records to write after the last one was visited. */
  finish(): readonly R[];
  /** A written record's place in the compacted segment (told before the swap). */
  placed?(record: R, place: RecordPlace): void;
  /** The compacted segment is in place and the originals gone (called inside the swap). */
  commit?(): void;
}

/** A plan from a whole-history reduction: every record in memory at once (tests, small journals). */
export function reducePlan<R>(reduce: (records: R[]) => R[]): CompactionPlan<R> {
  const all: R[] = [];
  return { visit: (r) => (all.push(r), []), finish: () => reduce(all) };
}

/** Compacts the closed segments `closed` (ascending, non-empty) into one named after the last of them. */
export async function compactSegments<R>(ctx: CompactionContext, closed: readonly number[], plan: CompactionPlan<R>): Promise<CompactionResult> {
  const newest = closed[closed.length - 1];
  if (newest === undefined) return { before: 0, after: 0 };
  const temp = join(ctx.dir, tempName(newest));
  const out = new FrameWriter(await open(temp, 'w'), newest, plan);
  let before = 0;
  try {
    for (const seq of closed) {
      const handle = await open(join(ctx.dir, segmentName(seq)), 'r');
      try {
        const { goodLength, size } = await scanSegment<R>(
          handle,
          0,
          (r, offset) => {
            before++;
            out.add(plan.visit(r, { seq, offset }));
          },
          () => out.flush(),
        );
        // A closed segment was fsynced whole before the next one existed: damage is not a torn write.
        if (goodLength < size) throw new KassaError('JOURNAL', `${segmentName(seq)}: closed segment damaged at byte ${goodLength} of ${size}`);
      } finally {
        await handle.close();
      }
    }
    out.add(plan.finish());
    await out.end();
    ctx.onFsync();
  } catch (e) {
    await out.abandon();
    // The temp file is garbage now; open() would delete it too, this only saves the space early.
    await unlink(temp).catch(() => {});
    throw e;
  }
  await ctx.exclusive(async () => {
    await rename(temp, join(ctx.dir, segmentName(newest)));
    await syncDir(ctx.dir);
    ctx.onFsync();
    for (const seq of closed.slice(0, -1).reverse()) await unlink(join(ctx.dir, segmentName(seq)));
    if (closed.length > 1) {
      await syncDir(ctx.dir);
      ctx.onFsync();
    }
    plan.commit?.();
  });
  return { before, after: out.records };
}

/** Writes frames to the compaction's temp file in chunks, telling the plan where each went. */
class FrameWriter<R> {
  private position = 0;
  private chunk: Uint8Array[] = [];
  private chunkBytes = 0;
  records = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly seq: number,
    private readonly plan: CompactionPlan<R>,
  ) {}

  /** Frames are held until the next flush: the scan flushes after each chunk it read. */
  add(records: readonly R[]): void {
    for (const r of records) {
      const frame = frameRecord(r);
      this.plan.placed?.(r, { seq: this.seq, offset: this.position + this.chunkBytes });
      this.chunk.push(frame);
      this.chunkBytes += frame.length;
      this.records++;
    }
  }

  async end(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => {});
  }

  async flush(): Promise<void> {
    if (this.chunkBytes === 0) return;
    const bytes = Buffer.concat(this.chunk, this.chunkBytes);
    await writeFully(this.handle, bytes, this.position);
    this.position += bytes.length;
    this.chunk = [];
    this.chunkBytes = 0;
  }
}
