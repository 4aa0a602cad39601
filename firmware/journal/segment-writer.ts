/**
 * The journal's write lane: owns the open segment and runs every write to it — group-commit
 * batches and rotations — one at a time. Whatever is queued while one durable write is in
 * flight goes out as the next single write, in call order. The segment is open with O_DSYNC
 * (segment-files.ts APPEND_FLAGS): a write that returned is on the disk, no fdatasync after
 * it. The first failure is final: that batch and everything queued behind it are rejected, and so is every
 * later request, because after an I/O error we no longer know what the file's tail holds
 * (open() will find out, and drop it if torn).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { KassaError, messageOf } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { APPEND_FLAGS, segmentName, writeFully, type RecordPlace } from './segment-files.ts';
import { syncDir } from '../core/atomic-file.ts';

export interface SegmentWriterContext {
  readonly dir: string;
  readonly segmentBytes: number;
  readonly log: Log;
  readonly onFsync: () => void;
  /** The size of segment `seq` is now `size` (a new segment starts at 0). */
  readonly onSize: (seq: number, size: number) => void;
  /** Told once, at the first failure (journal.ts JournalDeps.onFailure). */
  readonly onFailure?: (failure: KassaError) => void;
}

interface Request {
  readonly frame?: Uint8Array; // absent: a rotation request
  /** Where the frame went, once written. */
  place?: RecordPlace;
  readonly resolve: (place: RecordPlace | undefined) => void;
  readonly reject: (e: unknown) => void;
}

export class SegmentWriter {
  private readonly ctx: SegmentWriterContext;
  private handle: FileHandle | undefined;
  private seqNow: number;
  private size: number;
  private pending: Request[] = [];
  private rotations: Request[] = [];
  private pumping = false;
  private idleWaiters: (() => void)[] = [];
  private failed: KassaError | undefined;
  batches = 0;
  appends = 0;

  /** Takes over `handle`, the segment `seq` whose good bytes end at `size`. */
  constructor(ctx: SegmentWriterContext, handle: FileHandle, seq: number, size: number) {
    this.ctx = ctx;
    this.handle = handle;
    this.seqNow = seq;
    this.size = size;
  }

  get seq(): number {
    return this.seqNow;
  }
  get failure(): KassaError | undefined {
    return this.failed;
  }
  get queued(): number {
    return this.pending.length;
  }

  /** Resolves with the frame's place once it is written and fsynced. */
  write(frame: Uint8Array): Promise<RecordPlace> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<RecordPlace>((resolve, reject) => {
      this.pending.push({ frame, resolve: (place) => (place ? resolve(place) : reject(new KassaError('JOURNAL', 'a write without a place'))), reject });
      this.kick();
    });
  }

  /** Closes the open segment, unless it is empty, and starts the next; ahead of queued writes. */
  rotate(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<void>((resolve, reject) => {
      this.rotations.push({ resolve: () => resolve(), reject });
      this.kick();
    });
  }

  /** Waits for the lane to run dry, then closes the file. Callers stop writing first. */
  async close(): Promise<void> {
    if (this.pumping) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.handle?.close().catch((e: unknown) => this.ctx.log.warn('closing the open segment failed', { error: e }));
    this.handle = undefined;
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    // A microtask later, so that appends made in the same tick share the first batch.
    queueMicrotask(() => void this.pump());
  }

  /** Never throws: every outcome lands in a request's promise. */
  private async pump(): Promise<void> {
    while (this.failed === undefined) {
      const rotations = this.rotations.splice(0);
      if (rotations.length > 0) {
        await this.settle(rotations, 'rotation', async () => {
          if (this.size > 0) await this.startNext();
        });
        continue;
      }
      if (this.pending.length === 0) break;
      await this.settle(this.pending.splice(0), 'write', (batch) => this.writeBatch(batch));
    }
    if (this.failed) {
      for (const r of this.pending.splice(0)) r.reject(this.failed);
      for (const r of this.rotations.splice(0)) r.reject(this.failed);
    }
    this.pumping = false;
    for (const done of this.idleWaiters.splice(0)) done();
  }

  private async settle(requests: Request[], what: string, work: (requests: Request[]) => Promise<void>): Promise<void> {
    try {
      await work(requests);
      for (const r of requests) r.resolve(r.place);
    } catch (e) {
      const first = this.failed === undefined;
      this.failed ??= new KassaError('JOURNAL', `${what} in ${segmentName(this.seqNow)} failed: ${messageOf(e)}`, { cause: e });
      this.ctx.log.error('journal failed; refusing appends', { error: this.failed });
      for (const r of requests) r.reject(this.failed);
      if (first) this.ctx.onFailure?.(this.failed);
    }
  }

  private async writeBatch(batch: Request[]): Promise<void> {
    // Rotation is lazy, at the first write that finds the segment full: an idle journal
    // leaves no empty segments behind, and a failed rotation fails the batch that needed it.
    if (this.size >= this.ctx.segmentBytes) await this.startNext();
    const handle = this.handle;
    if (!handle) throw new KassaError('JOURNAL', 'no open segment');
    let offset = this.size;
    const frames = batch.map((r) => {
      const frame = r.frame ?? new Uint8Array(0);
      r.place = { seq: this.seqNow, offset };
      offset += frame.length;
      return frame;
    });
    const bytes = frames.length === 1 && frames[0] ? frames[0] : Buffer.concat(frames);
    // At our own offset, not O_APPEND: after a failed write the file may hold a partial
    // batch past it, and the journal refuses to write after that anyway.
    // Durable when it returns: the segment is open with O_DSYNC (APPEND_FLAGS).
    await writeFully(handle, bytes, this.size);
    this.ctx.onFsync();
    this.batches++;
    this.appends += batch.length;
    this.size += bytes.length;
    this.ctx.onSize(this.seqNow, this.size);
  }

  /** The current segment needs no fsync here: every batch in it already had one. */
  private async startNext(): Promise<void> {
    const seq = this.seqNow + 1;
    // O_EXCL: a file already there under the next name is not ours to overwrite.
    const next = await open(join(this.ctx.dir, segmentName(seq)), APPEND_FLAGS.create);
    try {
      await syncDir(this.ctx.dir);
      this.ctx.onFsync();
    } catch (e) {
      await next.close().catch(() => {});
      throw e;
    }
    const previous = this.handle;
    this.handle = next;
    this.seqNow = seq;
    this.size = 0;
    this.ctx.onSize(seq, 0);
    await previous?.close().catch((e: unknown) => this.ctx.log.warn('closing a rotated segment failed', { error: e }));
    this.ctx.log.debug(() => `rotated to ${segmentName(seq)}`);
  }
}
