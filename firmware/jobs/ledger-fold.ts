/**
 * The ledger's fold (DESIGN.md §1): how each journal record changes the jobs held in memory.
 * A job in work is held whole (the pipeline works from it); a finished one only as a row of
 * finished-jobs.ts with the places of its records (issue 9 §5). job-ledger.ts owns the
 * journal I/O and the queries; this file owns the state and the one way it changes.
 *
 * Re-applying records a snapshot already contains is harmless: every record sets fields,
 * none adds to them.
 */
import type { RecordPlace } from '../journal/segment-files.ts';
import { FinishedJobs, type FinishedJob } from './finished-jobs.ts';
import { JOB_TYPES, type JobType } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import type { JobStatus } from './job-result.ts';
import type { LedgerEntry, LedgerRecord, LedgerView } from './ledger-records.ts';

/** Echoes of jobs finished last, kept so that their final results go out without a read. */
const RECENT_ECHOES = 64;

export class LedgerFold {
  /** Jobs not finished: whole. */
  readonly live = new Map<string, LedgerEntry>();
  /** The record that began each live job (its acceptance or a snapshot). */
  readonly livePlaces = new Map<string, RecordPlace>();
  finished = new FinishedJobs();
  /** Echo and type of the jobs finished last. */
  readonly recent = new Map<string, { readonly echo?: Echo; readonly type?: JobType }>();
  seq = 0;
  /** The last record folded in: the index file (ledger-index-file.ts) covers the journal up to it. */
  lastPlace: RecordPlace | undefined;

  get view(): LedgerView {
    return { live: this.live, livePlaces: this.livePlaces, finished: this.finished, seq: this.seq, last: this.lastPlace };
  }

  /** Puts back a view saved by the index file. */
  restore(view: LedgerView): void {
    for (const [id, e] of view.live) this.live.set(id, e);
    for (const [id, p] of view.livePlaces) this.livePlaces.set(id, p);
    this.finished = view.finished;
    this.seq = view.seq;
    this.lastPlace = view.last;
  }

  apply(r: LedgerRecord, place: RecordPlace): LedgerEntry {
    this.lastPlace = place;
    const done = this.finished.get(r.id);
    if (!Object.hasOwn(KINDS, r.k)) {
      // A kind a later release writes: this one, rolled back to (issue 14), reads past it and
      // keeps the job as its own records left it, rather than failing its boot.
      return this.live.get(r.id) ?? (done ? finishedEntry(done) : { id: r.id, acceptedAt: r.at, seq: this.seq, status: 'accepted' });
    }
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

export function finishedEntry(f: FinishedJob): LedgerEntry {
  return { id: f.id, acceptedAt: f.acceptedAt, seq: f.seq, status: f.failed ? 'fail' : 'done', ...(f.type !== undefined ? { type: f.type } : {}), finishedAt: f.finishedAt, reported: f.reported, ...(f.rejected ? { rejected: true } : {}) };
}

export function finishedOf(e: LedgerEntry, result: RecordPlace = { seq: 0, offset: 0 }, accepted?: RecordPlace): FinishedJob {
  return { id: e.id, seq: e.seq, failed: e.status === 'fail', type: e.type, acceptedAt: e.acceptedAt, finishedAt: e.finishedAt ?? e.acceptedAt, reported: e.reported ?? false, rejected: e.rejected ?? false, result, accepted };
}

/** The record kinds this release writes and folds: a Record, so a kind added to LedgerRecord must be added here. */
const KINDS: Readonly<Record<LedgerRecord['k'], true>> = { accepted: true, rejected: true, forming: true, unformed: true, fiscalized: true, printed: true, finished: true, reported: true, snapshot: true };

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
