/**
 * The finished jobs of the ledger, kept small (issue 9 §5, DESIGN.md §1 invariant 7): per job
 * only what tells a repeat from a new job and where its answer lies on disk — state, type,
 * times, and the places of two journal records (the one with the final result, the one with
 * the job's digest and echo). The result itself is read back from the journal when a
 * duplicate or a report asks for it. Columns are typed arrays, so 100 000 jobs cost the map
 * from id to slot and ~40 bytes each, none of it for the garbage collector to walk.
 */
import type { RecordPlace } from '../journal/segment-files.ts';
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

/** The columns of every slot in use, in slot order: what the ledger's index file stores. */
export interface FinishedColumns {
  readonly ids: string[];
  readonly seq: Uint32Array;
  readonly flags: Uint8Array;
  readonly type: Uint8Array;
  readonly times: Float64Array;
  readonly places: Uint32Array;
}

export class FinishedJobs {
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private ids: (string | undefined)[] = [];
  private seq = new Uint32Array(0);
  private flags = new Uint8Array(0);
  private type = new Uint8Array(0);
  /** acceptedAt, finishedAt per slot. */
  private times = new Float64Array(0);
  /** result seq, result offset, accepted seq, accepted offset per slot (seq 0: no record). */
  private places = new Uint32Array(0);

  get size(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): FinishedJob | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.at(slot, id);
  }

  set(job: FinishedJob): void {
    let slot = this.slots.get(job.id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.grow();
      this.slots.set(job.id, slot);
      this.ids[slot] = job.id;
    }
    this.seq[slot] = job.seq;
    this.flags[slot] = (job.failed ? FAILED : 0) | (job.reported ? REPORTED : 0) | (job.rejected ? REJECTED : 0);
    this.type[slot] = job.type === undefined ? 0 : JOB_TYPES.indexOf(job.type) + 1;
    this.times[2 * slot] = job.acceptedAt;
    this.times[2 * slot + 1] = job.finishedAt;
    this.places.set([job.result.seq, job.result.offset, job.accepted?.seq ?? 0, job.accepted?.offset ?? 0], 4 * slot);
  }

  markReported(id: string): void {
    const slot = this.slots.get(id);
    if (slot !== undefined) this.flags[slot] = (this.flags[slot] ?? 0) | REPORTED;
  }

  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    this.ids[slot] = undefined;
    this.free.push(slot);
    return true;
  }

  /** Every finished job, in no particular order. */
  *all(): IterableIterator<FinishedJob> {
    for (const [id, slot] of this.slots) yield this.at(slot, id);
  }

  /**
   * The jobs whose final result the broker has not acknowledged, without building the others:
   * the result reporter asks at every connect and sweep, and 100 000 entries built each time
   * were most of a boot's CPU with a long journal (issue 9 §5).
   */
  *unreported(): IterableIterator<FinishedJob> {
    for (const [id, slot] of this.slots) if (((this.flags[slot] ?? 0) & REPORTED) === 0) yield this.at(slot, id);
  }

  /** How many failed (the rest are done), without building entries. */
  failures(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += (this.flags[slot] ?? 0) & FAILED;
    return n;
  }

  columns(): FinishedColumns {
    const used = [...this.slots.values()].sort((a, b) => a - b);
    const pick = <T extends Uint32Array | Uint8Array | Float64Array>(col: T, width: number, make: (n: number) => T): T => {
      const out = make(used.length * width);
      used.forEach((slot, i) => out.set(col.subarray(slot * width, slot * width + width), i * width));
      return out;
    };
    return {
      ids: used.map((slot) => this.ids[slot] ?? ''),
      seq: pick(this.seq, 1, (n) => new Uint32Array(n)),
      flags: pick(this.flags, 1, (n) => new Uint8Array(n)),
      type: pick(this.type, 1, (n) => new Uint8Array(n)),
      times: pick(this.times, 2, (n) => new Float64Array(n)),
      places: pick(this.places, 4, (n) => new Uint32Array(n)),
    };
  }

  static fromColumns(c: FinishedColumns): FinishedJobs {
    const jobs = new FinishedJobs();
    const n = c.ids.length;
    jobs.ids = [...c.ids];
    jobs.seq = Uint32Array.from(c.seq);
    jobs.flags = Uint8Array.from(c.flags);
    jobs.type = Uint8Array.from(c.type);
    jobs.times = Float64Array.from(c.times);
    jobs.places = Uint32Array.from(c.places);
    if (jobs.seq.length !== n || jobs.flags.length !== n || jobs.type.length !== n || jobs.times.length !== 2 * n || jobs.places.length !== 4 * n) {
      throw new RangeError('finished-job columns of different lengths');
    }
    c.ids.forEach((id, slot) => jobs.slots.set(id, slot));
    return jobs;
  }

  private at(slot: number, id: string): FinishedJob {
    const f = this.flags[slot] ?? 0;
    const p = this.places.subarray(4 * slot, 4 * slot + 4);
    const t = this.type[slot] ?? 0;
    return {
      id,
      seq: this.seq[slot] ?? 0,
      failed: (f & FAILED) !== 0,
      type: t === 0 ? undefined : JOB_TYPES[t - 1],
      acceptedAt: this.times[2 * slot] ?? 0,
      finishedAt: this.times[2 * slot + 1] ?? 0,
      reported: (f & REPORTED) !== 0,
      rejected: (f & REJECTED) !== 0,
      result: { seq: p[0] ?? 0, offset: p[1] ?? 0 },
      accepted: p[2] ? { seq: p[2], offset: p[3] ?? 0 } : undefined,
    };
  }

  /** Doubles every column; returns the first new slot (the rest go on the free list). */
  private grow(): number {
    const old = this.seq.length;
    const size = Math.max(64, old * 2);
    const widen = <T extends Uint32Array | Uint8Array | Float64Array>(col: T, width: number, make: (n: number) => T): T => {
      const next = make(size * width);
      next.set(col);
      return next;
    };
    this.seq = widen(this.seq, 1, (n) => new Uint32Array(n));
    this.flags = widen(this.flags, 1, (n) => new Uint8Array(n));
    this.type = widen(this.type, 1, (n) => new Uint8Array(n));
    this.times = widen(this.times, 2, (n) => new Float64Array(n));
    this.places = widen(this.places, 4, (n) => new Uint32Array(n));
    for (let s = size - 1; s > old; s--) this.free.push(s);
    return old;
  }
}
