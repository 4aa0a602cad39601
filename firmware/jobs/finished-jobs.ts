/**
 * The finished jobs of the ledger, kept small (issue 9 §5, DESIGN.md §1 invariant 7): per job
 * only what tells a repeat from a new job and where its answer lies on disk — state, type,
 * times, and the places of two journal records (the one with the final result, the one with
 * the job's digest and echo). The result itself is read back from the journal when a
 * duplicate or a report asks for it.
 *
 * Nothing per job is a JS object or string for the garbage collector to walk: the columns
 * are typed arrays grown by an eighth (exact size when loaded from the index file), the ids are
 * bytes in one arena with a hash table of slots (job-id-table.ts). Deleted slots are reused
 * (a free list through the seq column), the arena is rebuilt when half of it is deleted ids.
 * Per job: seq 4 + flags 1 + times 16 + places 16 + id offset 4 + id kind/length 2 bytes,
 * the id itself (16 bytes for a UUID, else its UTF-8) and ~6.7 bytes of hash table.
 * Measured with 100 000 finished jobs with UUID ids (test/bench/finished-jobs-memory.ts,
 * `npm run bench -- finished`; heap + arrayBuffers after a forced gc):
 *   loaded from the index file (exact sizes) ... 67 B/job (6.4 MiB)   before: 154 B/job (14.7 MiB)
 *   set one by one (grown by an eighth) ....... 67 B/job (6.3 MiB)   before: 158 B/job (15.1 MiB)
 *   loading the index file ..................... 13–16 ms             before: 61–66 ms
 * (before: a Map from id string to slot, an array of id strings, columns grown by doubling,
 * and a CBOR index file decoded and copied at boot.)
 */
import type { RecordPlace } from '../journal/segment-files.ts';
import { JobIdTable, type IdColumns } from './job-id-table.ts';
import { JOB_TYPES, type JobType } from './job.ts';

export interface FinishedJob {
  readonly id: string;
  /** Acceptance order across the whole ledger. */
  readonly seq: number;
  readonly failed: boolean;
  readonly type: JobType | undefined;
  readonly acceptedAt: number;
  readonly finishedAt: number;
  readonly reported: boolean;
  /** From a `rejected` record of an older version: the id is not taken. */
  readonly rejected: boolean;
  /** The record that holds the final result. */
  readonly result: RecordPlace;
  /** The record that holds the job's digest and echo; absent for a local query (never accepted). */
  readonly accepted: RecordPlace | undefined;
}

const FAILED = 1;
const REPORTED = 2;
const REJECTED = 4;
/** The job type's index + 1 (0: none) in bits 3–6 of the meta byte. */
const TYPE_SHIFT = 3;
/** A slot on the free list (its seq column holds the next free slot + 1). */
const FREE = 0x80;

/** The columns of every slot in use, in slot order: what the ledger's index file stores. */
export interface FinishedColumns {
  readonly count: number;
  readonly seq: Uint32Array;
  /** Flags and type (see FAILED … TYPE_SHIFT). */
  readonly meta: Uint8Array;
  /** acceptedAt, finishedAt per slot. */
  readonly times: Float64Array;
  /** result seq, result offset, accepted seq, accepted offset per slot (seq 0: no record). */
  readonly places: Uint32Array;
  /** The ids (job-id-table.ts): their bytes, and the hash table (built when absent). */
  readonly ids: IdColumns;
}

export class FinishedJobs {
  private ids: JobIdTable;
  private seq: Uint32Array;
  private meta: Uint8Array;
  private times: Float64Array;
  private places: Uint32Array;
  /** Slots handed out so far (in use or free). */
  private top: number;
  /** The first free slot + 1; 0: none. */
  private freeHead = 0;
  private count: number;

  constructor(c?: FinishedColumns) {
    const n = c?.count ?? 0;
    this.ids = new JobIdTable(c?.ids);
    this.seq = c?.seq ?? new Uint32Array(0);
    this.meta = c?.meta ?? new Uint8Array(0);
    this.times = c?.times ?? new Float64Array(0);
    this.places = c?.places ?? new Uint32Array(0);
    if (this.seq.length < n || this.meta.length < n || this.times.length < 2 * n || this.places.length < 4 * n) {
      throw new RangeError('finished-job columns of different lengths');
    }
    for (let slot = 0; slot < n; slot++) if ((this.meta[slot] ?? 0) & FREE) throw new RangeError('a free slot among the finished-job columns');
    this.top = n;
    this.count = n;
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.ids.slotOf(id) >= 0;
  }

  get(id: string): FinishedJob | undefined {
    const slot = this.ids.slotOf(id);
    return slot < 0 ? undefined : this.at(slot, id);
  }

  set(job: FinishedJob): void {
    let slot = this.ids.slotOf(job.id);
    if (slot < 0) {
      slot = this.take();
      this.ids.add(job.id, slot);
      this.count++;
    }
    this.seq[slot] = job.seq;
    this.meta[slot] = (job.failed ? FAILED : 0) | (job.reported ? REPORTED : 0) | (job.rejected ? REJECTED : 0) | ((job.type === undefined ? 0 : JOB_TYPES.indexOf(job.type) + 1) << TYPE_SHIFT);
    this.times[2 * slot] = job.acceptedAt;
    this.times[2 * slot + 1] = job.finishedAt;
    const p = 4 * slot;
    this.places[p] = job.result.seq;
    this.places[p + 1] = job.result.offset;
    this.places[p + 2] = job.accepted?.seq ?? 0;
    this.places[p + 3] = job.accepted?.offset ?? 0;
  }

  markReported(id: string): void {
    const slot = this.ids.slotOf(id);
    if (slot >= 0) this.meta[slot] = (this.meta[slot] ?? 0) | REPORTED;
  }

  delete(id: string): boolean {
    const slot = this.ids.slotOf(id);
    if (slot < 0) return false;
    this.ids.remove(slot);
    this.meta[slot] = FREE;
    this.seq[slot] = this.freeHead;
    this.freeHead = slot + 1;
    this.count--;
    return true;
  }

  /**
   * Deletes the jobs finished more than `keepMs` before `nowMs` (retention, job-ledger.ts)
   * without building an entry per job; returns how many.
   */
  deleteFinishedBefore(nowMs: number, keepMs: number, onDelete: (id: string) => void = () => {}): number {
    let n = 0;
    for (let slot = 0; slot < this.top; slot++) {
      if ((this.meta[slot] ?? FREE) & FREE || nowMs - (this.times[2 * slot + 1] ?? 0) <= keepMs) continue;
      const id = this.ids.idAt(slot);
      this.delete(id);
      onDelete(id);
      n++;
    }
    return n;
  }

  /** Every finished job, in no particular order. */
  *all(): IterableIterator<FinishedJob> {
    for (let slot = 0; slot < this.top; slot++) if (!((this.meta[slot] ?? FREE) & FREE)) yield this.at(slot, this.ids.idAt(slot));
  }

  /**
   * The jobs whose final result the broker has not acknowledged, without building the others:
   * the result reporter asks at every connect and sweep, and 100 000 entries built each time
   * were most of a boot's CPU with a long journal (issue 9 §5).
   */
  *unreported(): IterableIterator<FinishedJob> {
    for (let slot = 0; slot < this.top; slot++) if (!((this.meta[slot] ?? FREE) & (FREE | REPORTED))) yield this.at(slot, this.ids.idAt(slot));
  }

  /** How many failed (the rest are done), without building entries. */
  failures(): number {
    let n = 0;
    for (let slot = 0; slot < this.top; slot++) if (((this.meta[slot] ?? FREE) & (FREE | FAILED)) === FAILED) n++;
    return n;
  }

  /** What the index holds: slots (in use or free) and bytes of all its arrays. */
  footprint(): { readonly slots: number; readonly bytes: number } {
    return { slots: this.seq.length, bytes: this.seq.byteLength + this.meta.byteLength + this.times.byteLength + this.places.byteLength + this.ids.byteLength };
  }

  /** A compact copy of the slots in use, in slot order. */
  columns(): FinishedColumns {
    // Every slot in use and no id deleted: the columns as they are, copied whole.
    const ids = this.count === this.top ? this.ids.exportAll(this.count) : undefined;
    if (ids) {
      const n = this.top;
      return { count: n, seq: this.seq.slice(0, n), meta: this.meta.slice(0, n), times: this.times.slice(0, 2 * n), places: this.places.slice(0, 4 * n), ids };
    }
    const used = new Uint32Array(this.count);
    for (let slot = 0, i = 0; slot < this.top; slot++) if (!((this.meta[slot] ?? FREE) & FREE)) used[i++] = slot;
    const pick = <T extends Uint32Array | Uint8Array | Float64Array>(col: T, width: number, make: (n: number) => T): T => {
      const out = make(used.length * width);
      used.forEach((slot, i) => out.set(col.subarray(slot * width, slot * width + width), i * width));
      return out;
    };
    return {
      count: used.length,
      seq: pick(this.seq, 1, (n) => new Uint32Array(n)),
      meta: pick(this.meta, 1, (n) => new Uint8Array(n)),
      times: pick(this.times, 2, (n) => new Float64Array(n)),
      places: pick(this.places, 4, (n) => new Uint32Array(n)),
      ids: this.ids.exportIds(used),
    };
  }

  /** Over the columns as they are (taken, not copied). */
  static fromColumns(c: FinishedColumns): FinishedJobs {
    return new FinishedJobs(c);
  }

  private at(slot: number, id: string): FinishedJob {
    const f = this.meta[slot] ?? 0;
    const p = 4 * slot;
    const t = f >>> TYPE_SHIFT;
    const acceptedSeq = this.places[p + 2] ?? 0;
    return {
      id,
      seq: this.seq[slot] ?? 0,
      failed: (f & FAILED) !== 0,
      type: t === 0 ? undefined : JOB_TYPES[t - 1],
      acceptedAt: this.times[2 * slot] ?? 0,
      finishedAt: this.times[2 * slot + 1] ?? 0,
      reported: (f & REPORTED) !== 0,
      rejected: (f & REJECTED) !== 0,
      result: { seq: this.places[p] ?? 0, offset: this.places[p + 1] ?? 0 },
      accepted: acceptedSeq ? { seq: acceptedSeq, offset: this.places[p + 3] ?? 0 } : undefined,
    };
  }

  /**
   * A free slot, or a new one. Full columns grow by an eighth, not by half: a register that
   * loaded 100 000 jobs from the index file (exact sizes) and then takes one more job would
   * otherwise hold half as much again for good — 3 MiB of 70 (issue 9 §5). Copying the
   * columns once per eighth more jobs costs nothing that shows.
   */
  private take(): number {
    if (this.freeHead > 0) {
      const slot = this.freeHead - 1;
      this.freeHead = this.seq[slot] ?? 0;
      return slot;
    }
    if (this.top === this.seq.length) this.grow(this.top + Math.max(64, this.top >> 3));
    return this.top++;
  }

  private grow(size: number): void {
    const widen = <T extends Uint32Array | Uint8Array | Float64Array>(col: T, width: number, make: (n: number) => T): T => {
      const next = make(size * width);
      next.set(col.subarray(0, this.top * width));
      return next;
    };
    this.seq = widen(this.seq, 1, (n) => new Uint32Array(n));
    this.meta = widen(this.meta, 1, (n) => new Uint8Array(n));
    this.times = widen(this.times, 2, (n) => new Float64Array(n));
    this.places = widen(this.places, 4, (n) => new Uint32Array(n));
    this.ids.resize(size);
  }
}
