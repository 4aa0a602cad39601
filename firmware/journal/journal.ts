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
import { stat, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KassaError, messageOf } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { frameRecord } from '../core/record-framing.ts';
import { compactSegments, reducePlan, type CompactionPlan, type CompactionResult } from './compaction.ts';
import { deleteTemps, makeDirDurably, replaySegments } from './boot-replay.ts';
import { ReadLock } from './read-lock.ts';
import { listJournal, readRecordAt, segmentName, type RecordPlace } from './segment-files.ts';
import { syncDir } from '../core/atomic-file.ts';
import { SegmentWriter } from './segment-writer.ts';

export const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;

export interface JournalOptions {
  /** Directory of the segment files; created if missing. Nothing else should write there. */
  readonly dir: string;
  /** The open segment is closed and a new one started once it has grown to this many bytes (default 4 MiB). */
  readonly segmentBytes?: number;
}

export interface JournalDeps {
  readonly log: Log;
  /**
   * Told once, when a write or rotation fails and the journal starts refusing appends. Nothing
   * in this process mends that (segment-writer.ts): the register ends, and its next start
   * reopens the journal (and drops a torn tail).
   */
  readonly onFailure?: (failure: KassaError) => void;
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
  /** Reads of records and a compaction's swap of files exclude each other. */
  private readonly readLock = new ReadLock();

  private readonly onFailure: ((failure: KassaError) => void) | undefined;

  constructor(deps: JournalDeps, options: JournalOptions) {
    this.log = deps.log.child('journal');
    this.onFailure = deps.onFailure;
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
   * Creates the directory if needed, deletes temp files of an interrupted compaction, replays
   * every segment in order (boot-replay.ts: `after`, and why damage in a closed segment is
   * refused), drops a torn tail of the last one, and returns every record in append order
   * (or hands each to `onRecord` with its place and returns none).
   */
  async open(onRecord?: (record: R, place: RecordPlace) => void, after?: RecordPlace): Promise<{ records: R[]; droppedBytes: number }> {
    if (this.phase !== 'new') throw new KassaError('JOURNAL', `open() on a journal that is ${this.phase}`);
    this.phase = 'opening';
    let handle: FileHandle | undefined;
    try {
      const fsynced = (): void => void this.fsyncs++;
      await makeDirDurably(this.dir, fsynced);
      await deleteTemps(this.dir, fsynced, this.log);
      const records: R[] = [];
      const { segments } = await listJournal(this.dir);
      const replayed = await replaySegments<R>(this.dir, segments, onRecord ?? ((r: R) => void records.push(r)), after, (h) => (handle = h));
      const { seq, goodLength } = replayed;
      for (const [s, size] of replayed.closedSizes) this.sizes.set(s, size);
      if (segments.length === 0) await this.syncDir();
      if (goodLength < replayed.size) {
        await replayed.handle.truncate(goodLength);
        await replayed.handle.sync();
        this.fsyncs++;
        this.droppedBytes = replayed.size - goodLength;
        this.log.warn('dropped a torn tail', { segment: segmentName(seq), at: goodLength, bytes: this.droppedBytes });
      }
      this.sizes.set(seq, goodLength);
      this.writer = new SegmentWriter(
        {
          dir: this.dir,
          segmentBytes: this.segmentBytes,
          log: this.log,
          onFsync: () => void this.fsyncs++,
          onSize: (s, size) => void this.sizes.set(s, size),
          ...(this.onFailure ? { onFailure: this.onFailure } : {}),
        },
        replayed.handle,
        seq,
        goodLength,
      );
      this.phase = 'open';
      this.log.info('opened', { dir: this.dir, segments: this.sizes.size, records: replayed.count, droppedBytes: this.droppedBytes });
      return { records, droppedBytes: this.droppedBytes };
    } catch (e) {
      await (handle as FileHandle | undefined)?.close().catch(() => {});
      this.phase = 'closed';
      throw e instanceof KassaError ? e : new KassaError('JOURNAL', `cannot open journal ${this.dir}: ${messageOf(e)}`, { cause: e });
    }
  }

  /**
   * Reads one record back (a stored result a duplicate asks for). `locate` is asked for the
   * place only once no compaction is swapping files, and the file is read before the next
   * swap may begin, so a place is never read from a file it does not describe.
   */
  read(locate: () => RecordPlace | undefined): Promise<R | undefined> {
    return this.readLock.read(async () => {
      const place = locate();
      return place ? readRecordAt<R>(this.dir, place) : undefined;
    });
  }

  /** Segment sizes by seq, as the journal knows them now (the job ledger's index file checks them). */
  segmentSizes(): ReadonlyMap<number, number> {
    return new Map(this.sizes);
  }

  get dirPath(): string {
    return this.dir;
  }

  /** Resolves with the record's place once it is written and fsynced, batched with concurrent appends. */
  append(record: R): Promise<RecordPlace> {
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
   * Rotates, then replaces every closed segment by what `plan` keeps of their records
   * (compaction.ts explains the crash safety and what a plan must promise). Appends go on
   * meanwhile, into the new open segment, and replay after the kept records.
   */
  async compact(plan: CompactionPlan<R> | ((records: R[]) => R[])): Promise<CompactionResult> {
    if (this.phase !== 'open' || !this.writer) throw new KassaError('JOURNAL', `compact() on a journal that is ${this.phase}`);
    if (this.compacting) throw new KassaError('JOURNAL', 'a compaction is already running');
    const run = this.runCompaction(this.writer, typeof plan === 'function' ? reducePlan(plan) : plan);
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

  private async runCompaction(writer: SegmentWriter, plan: CompactionPlan<R>): Promise<CompactionResult> {
    await writer.rotate();
    // Later rotations only add higher seqs, so "below the open one now" stays the right set.
    const limit = writer.seq;
    plan.start?.(limit);
    const closed = [...this.sizes.keys()].filter((seq) => seq < limit).sort((a, b) => a - b);
    if (closed.length === 0) return { before: 0, after: 0 };
    try {
      const result = await compactSegments<R>({ dir: this.dir, onFsync: () => void this.fsyncs++, exclusive: (swap) => this.readLock.exclusive(swap) }, closed, plan);
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

  private async syncDir(): Promise<void> {
    await syncDir(this.dir);
    this.fsyncs++;
  }
}
