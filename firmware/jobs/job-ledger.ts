/**
 * The ledger of jobs: what was asked and what was answered, folded from the journal's
 * records (DESIGN.md §1). Every change is appended to the journal and durable before the
 * ledger shows it, so the in-memory view never runs ahead of the disk.
 *
 * Records are small state transitions; a job's entry is their fold. Compaction rewrites a
 * finished job as one `snapshot` record; re-applying records a snapshot already contains is
 * harmless because every record sets fields, none adds to them.
 *
 * Memory stays flat as history grows (issue 9 §5): a job in work is held whole (the next job
 * needs it), a finished one only as a row of finished-jobs.ts with the places of its records;
 * its result, digest and echo are read back from the journal when a duplicate, a report or
 * the console asks (`stored`, `resultOf`).
 */
import { KassaError } from '../core/kassa-error.ts';
import type { RecordPlace } from '../journal/segment-files.ts';
import { FinishedJobs, type FinishedJob } from './finished-jobs.ts';
import { JOB_TYPES, type Job, type JobType } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import { withEcho, type FiscalAttributes, type JobResult, type JobStatus } from './job-result.ts';

/** The FN document a job is about to form: written before the FN is touched (reconciliation reads it). */
export interface Forming {
  /** The FN's last FD number before the document was started. */
  readonly fdBefore: number;
  readonly fdType: number;
  readonly operationType?: number;
  readonly totalKopecks?: number;
}

export type LedgerRecord =
  /** `digest`: the job's content (parse-job.ts digestOf), to tell an identical repeat from another job under the same id. */
  | { readonly k: 'accepted'; readonly id: string; readonly at: number; readonly job: Job; readonly digest?: string; readonly echo?: Echo }
  /** Written by older versions only: a refused job no longer takes its id (issue 11 §3); read as "unknown". */
  | { readonly k: 'rejected'; readonly id: string; readonly at: number; readonly result: JobResult }
  | { readonly k: 'forming'; readonly id: string; readonly at: number; readonly forming: Forming }
  | { readonly k: 'unformed'; readonly id: string; readonly at: number }
  | { readonly k: 'fiscalized'; readonly id: string; readonly at: number; readonly fiscal: FiscalAttributes }
  | { readonly k: 'printed'; readonly id: string; readonly at: number }
  | { readonly k: 'finished'; readonly id: string; readonly at: number; readonly result: JobResult }
  /** The broker acknowledged the final result. Appended without waiting: losing it only repeats a result. */
  | { readonly k: 'reported'; readonly id: string; readonly at: number }
  | { readonly k: 'snapshot'; readonly id: string; readonly at: number; readonly entry: LedgerEntry };

export interface LedgerEntry {
  readonly id: string;
  readonly job?: Job;
  /** Kept after the job is finished: a repeat, a conflict and a report need them. */
  readonly type?: JobType;
  readonly digest?: string;
  readonly echo?: Echo;
  /** From a `rejected` record of an older version: the id is not taken. */
  readonly rejected?: boolean;
  /** Wall time (ms) of acceptance: the order jobs are worked in. */
  readonly acceptedAt: number;
  readonly seq: number;
  readonly status: JobStatus;
  readonly forming?: Forming;
  readonly fiscal?: FiscalAttributes;
  readonly printed?: boolean;
  /**
   * The final result as JSON text: in a snapshot record, and in what `stored` reads back.
   * A finished job in memory has none (finished-jobs.ts).
   */
  readonly resultJson?: string;
  readonly finishedAt?: number;
  /** The final result reached the broker. */
  readonly reported?: boolean;
}

/**
 * Issue 13 §2: the local API's requests live in an id space of their own, so a retail
 * program's uuid can never take (or be taken by) a cloud job's id. The cloud may not send
 * ids in it (job-intake.ts refuses them).
 */
export const LOCAL_ID_PREFIX = 'local:';
export type JobSource = 'cloud' | 'local';

export function sourceOf(id: string): JobSource {
  return id.startsWith(LOCAL_ID_PREFIX) ? 'local' : 'cloud';
}

/** The ledger id of task `index` of the local request `uuid`. */
export function localTaskId(uuid: string, index: number): string {
  return `${LOCAL_ID_PREFIX}${uuid}/${index}`;
}

/** What the ledger needs of the journal: durable appends that say where they went, and reads back. */
export interface LedgerJournal {
  append(record: LedgerRecord): Promise<RecordPlace>;
  /** The record at the place `locate` gives when asked (journal.ts: never during a compaction's swap). */
  read(locate: () => RecordPlace | undefined): Promise<LedgerRecord | undefined>;
}

/** Echoes of jobs finished last, kept so that their final results go out without a read. */
const RECENT_ECHOES = 64;

export class JobLedger {
  /** Jobs not finished: whole (the pipeline works from them). */
  private readonly live = new Map<string, LedgerEntry>();
  /** The record that began each live job (its acceptance or a snapshot). */
  private readonly livePlaces = new Map<string, RecordPlace>();
  private finished = new FinishedJobs();
  private readonly recent = new Map<string, { readonly echo?: Echo; readonly type?: JobType }>();
  private seq = 0;
  /** The last record folded in: the index file (ledger-index-file.ts) covers the journal up to it. */
  private lastPlace: RecordPlace | undefined;

  constructor(private readonly journal: LedgerJournal) {}

  /** One journal record at boot (Journal.open's onRecord). */
  replay(record: LedgerRecord, place: RecordPlace): void {
    this.apply(record, place);
  }

  /** Appends a record durably, then applies it. */
  async record(r: LedgerRecord): Promise<LedgerEntry> {
    const place = await this.journal.append(r);
    return this.apply(r, place);
  }

  get(id: string): LedgerEntry | undefined {
    const live = this.live.get(id);
    if (live) return live;
    const done = this.finished.get(id);
    return done && finishedEntry(done);
  }

  /** The job that holds `id`: an entry that is not an old refusal. */
  holder(id: string): LedgerEntry | undefined {
    const e = this.get(id);
    return e && !e.rejected ? e : undefined;
  }

  /** Jobs accepted and not finished, in the order they were accepted. */
  unfinished(): LedgerEntry[] {
    return [...this.live.values()].filter((e) => e.job).sort((a, b) => a.seq - b.seq);
  }

  /** Final results the broker has not acknowledged (republished at start). */
  unreported(): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (const f of this.finished.all()) if (!f.reported) out.push(finishedEntry(f));
    return out.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The whole entry: a live job's own, or a finished job's read back from the journal
   * (digest, echo, final result). A KassaError if the journal does not hold what the index says.
   */
  async stored(entry: LedgerEntry): Promise<LedgerEntry> {
    if (!this.finished.has(entry.id)) return this.live.get(entry.id) ?? entry;
    const done = (): FinishedJob | undefined => this.finished.get(entry.id);
    const result = await this.readOwn(entry.id, () => done()?.result);
    const sameRecord = (a?: RecordPlace, b?: RecordPlace): boolean => a !== undefined && b !== undefined && a.seq === b.seq && a.offset === b.offset;
    const f = done();
    const accepted = f?.accepted === undefined ? undefined : sameRecord(f.accepted, f.result) ? result : await this.readOwn(entry.id, () => done()?.accepted);
    const base = finishedEntry(f ?? finishedOf(entry));
    const first = accepted?.k === 'snapshot' ? accepted.entry : accepted?.k === 'accepted' ? { digest: accepted.digest, echo: accepted.echo } : {};
    const resultJson = result.k === 'snapshot' ? result.entry.resultJson : result.k === 'finished' || result.k === 'rejected' ? JSON.stringify(result.result) : undefined;
    return { ...base, ...(first.digest !== undefined ? { digest: first.digest } : {}), ...(first.echo !== undefined ? { echo: first.echo } : {}), ...(resultJson !== undefined ? { resultJson } : {}) };
  }

  /** The final result of a finished job (read back from the journal), with its echoes. */
  async resultOf(entry: LedgerEntry): Promise<JobResult | undefined> {
    const full = entry.resultJson !== undefined ? entry : await this.stored(entry);
    return full.resultJson === undefined ? undefined : withEcho(JSON.parse(full.resultJson) as JobResult, full.echo, full.type);
  }

  /** A job's echo and type without a read when it is in work or just finished; else `undefined`. */
  echoOf(id: string): { readonly echo?: Echo; readonly type?: JobType } | undefined {
    return this.live.get(id) ?? this.recent.get(id);
  }

  counts(): Record<JobStatus, number> {
    const c: Record<JobStatus, number> = { accepted: 0, in_progress: 0, fiscalized_not_printed: 0, done: 0, fail: 0 };
    for (const e of this.live.values()) c[e.status]++;
    const failures = this.finished.failures();
    c.fail += failures;
    c.done += this.finished.size - failures;
    return c;
  }

  /** Every job id, in acceptance order. */
  ids(): string[] {
    const all: { id: string; seq: number }[] = [...this.live.values()];
    for (const f of this.finished.all()) all.push(f);
    return all.sort((a, b) => a.seq - b.seq).map((e) => e.id);
  }

  get size(): number {
    return this.live.size + this.finished.size;
  }

  /**
   * Retention while running (issue 9 §5): forgets finished jobs older than `keepMs`, as
   * compaction drops them from the journal; their ids are no longer duplicates. Returns how many.
   */
  forgetExpired(nowMs: number, keepMs: number): number {
    let forgotten = 0;
    for (const f of [...this.finished.all()]) {
      if (nowMs - f.finishedAt <= keepMs) continue;
      this.finished.delete(f.id);
      this.recent.delete(f.id);
      forgotten++;
    }
    return forgotten;
  }

  /** For compaction (ledger-compaction.ts) and the index file: the ledger's parts as they are now. */
  get view(): LedgerView {
    return { live: this.live, livePlaces: this.livePlaces, finished: this.finished, seq: this.seq, last: this.lastPlace };
  }

  /** Puts back a view saved by the index file (before any record is replayed). */
  restore(view: LedgerView): void {
    if (this.size > 0) throw new KassaError('JOURNAL', 'restore() on a ledger that holds jobs');
    for (const [id, e] of view.live) this.live.set(id, e);
    for (const [id, p] of view.livePlaces) this.livePlaces.set(id, p);
    this.finished = view.finished;
    this.seq = view.seq;
    this.lastPlace = view.last;
  }

  /** A compaction moved a record: `role` says which of the job's places it was. */
  relocate(id: string, role: 'live' | 'accepted' | 'result' | 'both', place: RecordPlace, movedBelow: number): void {
    const stale = (p?: RecordPlace): boolean => p !== undefined && p.seq < movedBelow;
    if (role === 'live' && stale(this.livePlaces.get(id))) this.livePlaces.set(id, place);
    const f = this.finished.get(id);
    if (!f) return;
    const accepted = (role === 'both' || role === 'accepted' || role === 'live') && stale(f.accepted) ? place : f.accepted;
    const result = (role === 'both' || role === 'result') && stale(f.result) ? place : f.result;
    this.finished.set({ ...f, accepted, result });
  }

  /** After a compaction: the last folded record may have moved into the compacted segment. */
  relocateLast(place: RecordPlace | undefined, movedBelow: number): void {
    if (this.lastPlace && this.lastPlace.seq < movedBelow) this.lastPlace = place;
  }

  private async readOwn(id: string, locate: () => RecordPlace | undefined): Promise<LedgerRecord> {
    const r = await this.journal.read(locate);
    if (!r || r.id !== id) throw new KassaError('JOURNAL', `the journal does not hold job ${id} where the ledger says (${r ? `found ${r.id}` : 'no place'})`);
    return r;
  }

  private apply(r: LedgerRecord, place: RecordPlace): LedgerEntry {
    this.lastPlace = place;
    const done = this.finished.get(r.id);
    if (done) {
      if (r.k === 'reported') {
        this.finished.markReported(r.id);
        return finishedEntry({ ...done, reported: true });
      }
      if (r.k === 'finished' || r.k === 'rejected') return this.finish(finishedEntry(done), r, place, done.accepted);
      // Anything else begins the job again (a snapshot, or an old journal's acceptance after a refusal).
      this.finished.delete(r.id);
      return this.applyLive(finishedEntry(done), r, place);
    }
    return this.applyLive(this.live.get(r.id), r, place);
  }

  private applyLive(prev: LedgerEntry | undefined, r: LedgerRecord, place: RecordPlace): LedgerEntry {
    const base: LedgerEntry = prev ?? { id: ownCopy(r.id), acceptedAt: r.at, seq: ++this.seq, status: 'accepted' };
    let next: LedgerEntry;
    switch (r.k) {
      case 'accepted': {
        const { rejected: _old, resultJson: _r, finishedAt: _f, reported: _p, ...rest } = base;
        this.livePlaces.set(base.id, place);
        // Own copies: these outlive the job in finished entries (see ownCopy).
        next = { ...rest, status: 'accepted', job: r.job, type: TYPES[r.job.type], acceptedAt: r.at, ...(r.digest !== undefined ? { digest: ownCopy(r.digest) } : {}), ...(r.echo !== undefined ? { echo: echoCopy(r.echo) } : {}) };
        break;
      }
      case 'rejected':
      case 'finished':
        return this.finish(base, r, place, this.livePlaces.get(base.id));
      case 'forming':
        next = { ...base, status: 'in_progress', forming: r.forming };
        break;
      case 'unformed': {
        const { forming: _dropped, ...rest } = base;
        next = { ...rest, status: 'accepted' };
        break;
      }
      case 'fiscalized':
        next = { ...base, status: 'fiscalized_not_printed', fiscal: r.fiscal, printed: false };
        break;
      case 'printed':
        next = { ...base, printed: true };
        break;
      case 'reported':
        next = { ...base, reported: true };
        break;
      case 'snapshot': {
        const entry: LedgerEntry = { ...r.entry, id: base.id, seq: prev?.seq ?? base.seq };
        if (entry.resultJson !== undefined && entry.finishedAt !== undefined) {
          this.live.delete(entry.id);
          this.livePlaces.delete(entry.id);
          this.finished.set(finishedOf(entry, place, place));
          return finishedEntry(this.finished.get(entry.id) ?? finishedOf(entry));
        }
        this.livePlaces.set(entry.id, place);
        next = entry;
        break;
      }
    }
    this.live.set(next.id, next);
    return next;
  }

  /** A final result: the job leaves the live map for the finished rows. */
  private finish(base: LedgerEntry, r: Extract<LedgerRecord, { k: 'finished' | 'rejected' }>, place: RecordPlace, accepted: RecordPlace | undefined): LedgerEntry {
    const status = r.result.status === 'unknown' ? 'fail' : STATUS[r.result.status];
    const entry: LedgerEntry = { id: base.id, acceptedAt: base.acceptedAt, seq: base.seq, ...(base.type !== undefined ? { type: base.type } : {}), status, finishedAt: r.at, reported: false, ...(r.k === 'rejected' ? { rejected: true } : {}) };
    this.live.delete(base.id);
    this.livePlaces.delete(base.id);
    this.finished.set(finishedOf(entry, place, accepted));
    if (base.echo !== undefined || base.type !== undefined) {
      this.recent.set(base.id, { ...(base.echo !== undefined ? { echo: base.echo } : {}), ...(base.type !== undefined ? { type: base.type } : {}) });
      if (this.recent.size > RECENT_ECHOES) this.recent.delete(this.recent.keys().next().value as string);
    }
    return entry;
  }
}

/** The ledger's parts, for compaction and the index file. */
export interface LedgerView {
  readonly live: ReadonlyMap<string, LedgerEntry>;
  readonly livePlaces: ReadonlyMap<string, RecordPlace>;
  readonly finished: FinishedJobs;
  readonly seq: number;
  readonly last: RecordPlace | undefined;
}

function finishedEntry(f: FinishedJob): LedgerEntry {
  return { id: f.id, acceptedAt: f.acceptedAt, seq: f.seq, status: f.failed ? 'fail' : 'done', ...(f.type !== undefined ? { type: f.type } : {}), finishedAt: f.finishedAt, reported: f.reported, ...(f.rejected ? { rejected: true } : {}) };
}

function finishedOf(e: LedgerEntry, result: RecordPlace = { seq: 0, offset: 0 }, accepted?: RecordPlace): FinishedJob {
  return { id: e.id, seq: e.seq, failed: e.status === 'fail', type: e.type, acceptedAt: e.acceptedAt, finishedAt: e.finishedAt ?? e.acceptedAt, reported: e.reported ?? false, rejected: e.rejected ?? false, result, accepted };
}

/** Job types interned like the statuses below. */
const TYPES: Readonly<Record<JobType, JobType>> = Object.fromEntries(JOB_TYPES.map((t) => [t, t])) as Record<JobType, JobType>;

/**
 * Strings decoded from the journal can be slices of a whole read chunk: a kept slice keeps
 * the chunk alive. Statuses come from this table and ids are copied, so the ledger holds
 * only its own small strings (issue 3: RSS after 100 000 jobs).
 */
const STATUS: Readonly<Record<JobStatus, JobStatus>> = { accepted: 'accepted', in_progress: 'in_progress', fiscalized_not_printed: 'fiscalized_not_printed', done: 'done', fail: 'fail' };

function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function echoCopy(echo: Echo): Echo {
  return Object.fromEntries(Object.entries(echo).map(([k, v]) => [k, typeof v === 'string' ? ownCopy(v) : v])) as Echo;
}
