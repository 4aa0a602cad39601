/**
 * The durable journal (issue 3, deliverable 3): append-only records framed by
 * firmware/core/record-framing.ts in numbered segment files, each append written and fsynced
 * before it resolves — the job's MQTT PUBACK waits for that (DESIGN.md §1 invariant 1).
 *
 * Cost per append stays flat as history grows: an append writes at a remembered offset of
 * the open segment (no re-reading, no directory scan), segments rotate at `segmentBytes`, and
 * compaction (compaction.ts) folds the closed segments down to the records that still matter.
 * Concurrent appends are group-committed by the write lane (segment-writer.ts). Compaction
 * touches only closed segments, so appends go on beside it.
 */
import { mkdir, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { KassaError } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { frameRecord } from '../core/record-framing.ts';
import { compactSegments, type CompactionResult } from './compaction.ts';
import { listJournal, readSegment, readSegmentFile, segmentName } from './segment-files.ts';
import { syncDir } from '../core/atomic-file.ts';
import { messageOf, SegmentWriter } from './segment-writer.ts';

export const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;

export interface JournalOptions {
  /** Directory of the segment files; created if missing. Nothing else should write there. */
  readonly dir: string;
  /** The open segment is closed and a new one started once it has grown to this many bytes (default 4 MiB). */
  readonly segmentBytes?: number;
}

export interface JournalDeps {
  readonly log: Log;
}

export interface JournalStats {
  /** Records made durable since open(). */
  readonly appends: number;
  /** Group-commit batches written (one write + one fsync each). */
  readonly batches: number;
  /** Every fsync the journal asked for: batches, directories, truncation, compaction. */
  readonly fsyncs: number;
  /** Bytes in the segment files now. */
  readonly bytes: number;
  readonly segments: number;
  /** Torn-tail bytes dropped by open(). */
  readonly droppedBytes: number;
}

type Phase = 'new' | 'opening' | 'open' | 'closing' | 'closed';

export class Journal<R> {
  private readonly log: Log;
  private readonly dir: string;
  private readonly segmentBytes: number;
  private phase: Phase = 'new';
  private writer: SegmentWriter | undefined;
  /** Size of every segment file by seq, kept in memory so that appends never scan the directory. */
  private readonly sizes = new Map<number, number>();
  private compacting: Promise<CompactionResult> | undefined;
  private closing: Promise<void> | undefined;
  private fsyncs = 0;
  private droppedBytes = 0;

  constructor(deps: JournalDeps, options: JournalOptions) {
    this.log = deps.log.child('journal');
    this.dir = resolve(options.dir);
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(this.segmentBytes) || this.segmentBytes <= 0) {
      throw new KassaError('JOURNAL', `segmentBytes must be a positive integer, got ${String(options.segmentBytes)}`);
    }
  }

  get stats(): JournalStats {
    let bytes = 0;
    for (const size of this.sizes.values()) bytes += size;
    return {
      appends: this.writer?.appends ?? 0,
      batches: this.writer?.batches ?? 0,
      fsyncs: this.fsyncs,
      bytes,
      segments: this.sizes.size,
      droppedBytes: this.droppedBytes,
    };
  }

  describe(): Record<string, unknown> {
    const failure = this.writer?.failure;
    return {
      dir: this.dir,
      segmentBytes: this.segmentBytes,
      state: failure && this.phase === 'open' ? 'failed' : this.phase,
      ...(this.writer ? { openSegment: segmentName(this.writer.seq), queued: this.writer.queued } : {}),
      compacting: this.compacting !== undefined,
      ...(failure ? { failure: failure.message } : {}),
      ...this.stats,
    };
  }

  /**
   * Creates the directory if needed, deletes temp files of an interrupted compaction, reads
   * every segment in order, drops a torn tail of the last one, and returns every record in
   * append order (or hands each to `onRecord` and returns none). Only the last segment can hold a torn write — a segment is closed only
   * after its last batch was fsynced — so damage in a closed segment is refused with a
   * KassaError instead: dropping it would silently lose acknowledged jobs (DESIGN.md §1
   * invariant 5), so a person has to look.
   */
  async open(onRecord?: (record: R) => void): Promise<{ records: R[]; droppedBytes: number }> {
    if (this.phase !== 'new') throw new KassaError('JOURNAL', `open() on a journal that is ${this.phase}`);
    this.phase = 'opening';
    let handle: FileHandle | undefined;
    try {
      await this.makeDir();
      await this.deleteTemps();
      // With onRecord, records are handed over segment by segment and not kept: the boot
      // peak of a long journal is then one segment, not the whole history.
      const records: R[] = [];
      const deliver = onRecord ?? ((r: R) => void records.push(r));
      let count = 0;
      const { segments } = await listJournal(this.dir);
      for (const seq of segments.slice(0, -1)) {
        const content = await readSegmentFile<R>(this.dir, seq);
        if (content.goodLength < content.size) {
          throw new KassaError('JOURNAL', `${segmentName(seq)}: closed segment damaged at byte ${content.goodLength} of ${content.size}`);
        }
        for (const r of content.records) deliver(r);
        count += content.records.length;
        this.sizes.set(seq, content.size);
      }
      const seq = segments[segments.length - 1] ?? 1;
      handle = await open(join(this.dir, segmentName(seq)), segments.length === 0 ? 'wx+' : 'r+');
      if (segments.length === 0) await this.syncDir();
      const content = await readSegment<R>(handle);
      for (const r of content.records) deliver(r);
      count += content.records.length;
      if (content.goodLength < content.size) {
        await handle.truncate(content.goodLength);
        await handle.sync();
        this.fsyncs++;
        this.droppedBytes = content.size - content.goodLength;
        this.log.warn('dropped a torn tail', { segment: segmentName(seq), at: content.goodLength, bytes: this.droppedBytes });
      }
      this.sizes.set(seq, content.goodLength);
      this.writer = new SegmentWriter(
        {
          dir: this.dir,
          segmentBytes: this.segmentBytes,
          log: this.log,
          onFsync: () => void this.fsyncs++,
          onSize: (s, size) => void this.sizes.set(s, size),
        },
        handle,
        seq,
        content.goodLength,
      );
      this.phase = 'open';
      this.log.info('opened', { dir: this.dir, segments: this.sizes.size, records: count, droppedBytes: this.droppedBytes });
      return { records, droppedBytes: this.droppedBytes };
    } catch (e) {
      await handle?.close().catch(() => {});
      this.phase = 'closed';
      throw e instanceof KassaError ? e : new KassaError('JOURNAL', `cannot open journal ${this.dir}: ${messageOf(e)}`, { cause: e });
    }
  }

  /** Resolves once the record is written and fsynced, batched with concurrent appends. */
  append(record: R): Promise<void> {
    const failure = this.writer?.failure;
    if (failure) {
      return Promise.reject(new KassaError('JOURNAL', `journal refuses appends after a failed write or rotation: ${failure.message}`, { cause: failure }));
    }
    if (this.phase !== 'open' || !this.writer) return Promise.reject(new KassaError('JOURNAL', `append on a journal that is ${this.phase}`));
    let frame: Uint8Array;
    try {
      frame = frameRecord(record);
    } catch (e) {
      // Only this record is bad; the journal itself is fine.
      return Promise.reject(new KassaError('JOURNAL', `record cannot be encoded: ${messageOf(e)}`, { cause: e }));
    }
    return this.writer.write(frame);
  }

  /**
   * Rotates, then replaces every closed segment by `reduce(records)` (compaction.ts explains
   * the crash safety and what `reduce` must promise). Appends go on meanwhile, into the new
   * open segment, and replay after the reduced records.
   */
  async compact(reduce: (records: R[]) => R[]): Promise<CompactionResult> {
    if (this.phase !== 'open' || !this.writer) throw new KassaError('JOURNAL', `compact() on a journal that is ${this.phase}`);
    if (this.compacting) throw new KassaError('JOURNAL', 'a compaction is already running');
    const run = this.runCompaction(this.writer, reduce);
    this.compacting = run;
    try {
      return await run;
    } finally {
      this.compacting = undefined;
    }
  }

  /** Refuses new appends, lets queued ones and a running compaction finish, closes the file. */
  close(): Promise<void> {
    if (this.phase === 'new') this.phase = 'closed';
    if (this.phase === 'closed') return Promise.resolve();
    if (this.phase === 'opening') return Promise.reject(new KassaError('JOURNAL', 'close() while open() is running'));
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.phase = 'closing';
    await this.compacting?.catch(() => {});
    await this.writer?.close();
    this.phase = 'closed';
    this.log.debug(() => `closed ${this.dir}`);
  }

  private async runCompaction(writer: SegmentWriter, reduce: (records: R[]) => R[]): Promise<CompactionResult> {
    await writer.rotate();
    // Later rotations only add higher seqs, so "below the open one now" stays the right set.
    const limit = writer.seq;
    const closed = [...this.sizes.keys()].filter((seq) => seq < limit).sort((a, b) => a - b);
    if (closed.length === 0) return { before: 0, after: 0 };
    try {
      const result = await compactSegments<R>({ dir: this.dir, onFsync: () => void this.fsyncs++ }, closed, reduce);
      this.log.info('compacted', { segments: closed.length, ...result });
      return result;
    } finally {
      // Not the append path: a fresh look at the files is simpler than tracking partial failures.
      for (const seq of closed) {
        const size = await stat(join(this.dir, segmentName(seq))).then((s) => s.size, () => undefined);
        if (size === undefined) this.sizes.delete(seq);
        else this.sizes.set(seq, size);
      }
    }
  }

  /** mkdir -p, then fsync the parent of every directory it created so the path survives a power cut. */
  private async makeDir(): Promise<void> {
    const created = await mkdir(this.dir, { recursive: true });
    if (created === undefined) return;
    for (let d = this.dir; d !== dirname(d); d = dirname(d)) {
      await syncDir(dirname(d));
      this.fsyncs++;
      if (d === resolve(created)) break;
    }
  }

  /** Temp files mean a compaction died before its rename: the originals are all still here. */
  private async deleteTemps(): Promise<void> {
    const { temps } = await listJournal(this.dir);
    if (temps.length === 0) return;
    for (const name of temps) await unlink(join(this.dir, name));
    await this.syncDir();
    this.log.warn('deleted temp files of an interrupted compaction', { files: temps });
  }

  private async syncDir(): Promise<void> {
    await syncDir(this.dir);
    this.fsyncs++;
  }
}
