/**
 * The ledger of jobs: what was asked and what was answered, folded from the journal's
 * records (DESIGN.md §1). Every change is appended to the journal and durable before the
 * ledger shows it, so the in-memory view never runs ahead of the disk.
 *
 * Records are small state transitions (ledger-records.ts); a job's entry is their fold
 * (ledger-fold.ts). Compaction rewrites a finished job as one `snapshot` record.
 *
 * Memory stays flat as history grows (issue 9 §5): a job in work is held whole (the next job
 * needs it), a finished one only as a row of finished-jobs.ts with the places of its records;
 * its result, digest and echo are read back from the journal when a duplicate, a report or
 * the console asks (`stored`, `resultOf`).
 */
import { KassaError } from '../core/kassa-error.ts';
import type { RecordPlace } from '../journal/segment-files.ts';
import type { FinishedJob } from './finished-jobs.ts';
import type { JobType } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import { withEcho, type JobResult, type JobStatus } from './job-result.ts';
import { finishedEntry, finishedOf, LedgerFold } from './ledger-fold.ts';
import type { LedgerEntry, LedgerJournal, LedgerRecord, LedgerView } from './ledger-records.ts';

export type { Forming, LedgerEntry, LedgerJournal, LedgerRecord, LedgerView } from './ledger-records.ts';

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

export class JobLedger {
  private readonly fold = new LedgerFold();

  constructor(private readonly journal: LedgerJournal) {}

  /** One journal record at boot (Journal.open's onRecord). */
  replay(record: LedgerRecord, place: RecordPlace): void {
    this.fold.apply(record, place);
  }

  /** Appends a record durably, then applies it. */
  async record(r: LedgerRecord): Promise<LedgerEntry> {
    const place = await this.journal.append(r);
    return this.fold.apply(r, place);
  }

  get(id: string): LedgerEntry | undefined {
    const live = this.fold.live.get(id);
    if (live) return live;
    const done = this.fold.finished.get(id);
    return done && finishedEntry(done);
  }

  /** The job that holds `id`: an entry that is not an old refusal. */
  holder(id: string): LedgerEntry | undefined {
    const e = this.get(id);
    return e && !e.rejected ? e : undefined;
  }

  /** Jobs accepted and not finished, in the order they were accepted. */
  unfinished(): LedgerEntry[] {
    return [...this.fold.live.values()].filter((e) => e.job).sort((a, b) => a.seq - b.seq);
  }

  /** Final results the broker has not acknowledged (republished at start). */
  unreported(): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (const f of this.fold.finished.unreported()) out.push(finishedEntry(f));
    return out.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The whole entry: a live job's own, or a finished job's read back from the journal
   * (digest, echo, final result). A KassaError if the journal does not hold what the index says.
   */
  async stored(entry: LedgerEntry): Promise<LedgerEntry> {
    if (!this.fold.finished.has(entry.id)) return this.fold.live.get(entry.id) ?? entry;
    const done = (): FinishedJob | undefined => this.fold.finished.get(entry.id);
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
    return this.fold.live.get(id) ?? this.fold.recent.get(id);
  }

  counts(): Record<JobStatus, number> {
    const c: Record<JobStatus, number> = { accepted: 0, in_progress: 0, fiscalized_not_printed: 0, done: 0, fail: 0 };
    for (const e of this.fold.live.values()) c[e.status]++;
    const failures = this.fold.finished.failures();
    c.fail += failures;
    c.done += this.fold.finished.size - failures;
    return c;
  }

  /** Every job id, in acceptance order. */
  ids(): string[] {
    const all: { id: string; seq: number }[] = [...this.fold.live.values()];
    for (const f of this.fold.finished.all()) all.push(f);
    return all.sort((a, b) => a.seq - b.seq).map((e) => e.id);
  }

  get size(): number {
    return this.fold.live.size + this.fold.finished.size;
  }

  /**
   * Retention while running (issue 9 §5): forgets finished jobs older than `keepMs`, as
   * compaction drops them from the journal; their ids are no longer duplicates. Returns how many.
   */
  forgetExpired(nowMs: number, keepMs: number): number {
    return this.fold.finished.deleteFinishedBefore(nowMs, keepMs, (id) => this.fold.recent.delete(id));
  }

  /** For compaction (ledger-compaction.ts) and the index file: the ledger's parts as they are now. */
  get view(): LedgerView {
    return this.fold.view;
  }

  /** Puts back a view saved by the index file (before any record is replayed). */
  restore(view: LedgerView): void {
    if (this.size > 0) throw new KassaError('JOURNAL', 'restore() on a ledger that holds jobs');
    this.fold.restore(view);
  }

  /** A compaction moved a record: `role` says which of the job's places it was. */
  relocate(id: string, role: 'live' | 'accepted' | 'result' | 'both', place: RecordPlace, movedBelow: number): void {
    const stale = (p?: RecordPlace): boolean => p !== undefined && p.seq < movedBelow;
    if (role === 'live' && stale(this.fold.livePlaces.get(id))) this.fold.livePlaces.set(id, place);
    const f = this.fold.finished.get(id);
    if (!f) return;
    const accepted = (role === 'both' || role === 'accepted' || role === 'live') && stale(f.accepted) ? place : f.accepted;
    const result = (role === 'both' || role === 'result') && stale(f.result) ? place : f.result;
    this.fold.finished.set({ ...f, accepted, result });
  }

  /** After a compaction: the last folded record may have moved into the compacted segment. */
  relocateLast(place: RecordPlace | undefined, movedBelow: number): void {
    if (this.fold.lastPlace && this.fold.lastPlace.seq < movedBelow) this.fold.lastPlace = place;
  }

  private async readOwn(id: string, locate: () => RecordPlace | undefined): Promise<LedgerRecord> {
    const r = await this.journal.read(locate);
    if (!r || r.id !== id) throw new KassaError('JOURNAL', `the journal does not hold job ${id} where the ledger says (${r ? `found ${r.id}` : 'no place'})`);
    return r;
  }
}
