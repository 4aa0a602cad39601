/**
 * The ledger of jobs: what was asked and what was answered, folded from the journal's
 * records (DESIGN.md §1). Every change is appended to the journal and durable before the
 * ledger shows it, so the in-memory view never runs ahead of the disk.
 *
 * Records are small state transitions; a job's entry is their fold. Compaction rewrites a
 * job as one `snapshot` record; re-applying records a snapshot already contains is harmless
 * because every record sets fields, none adds to them.
 */
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
   * The final result as JSON text. A finished job keeps only this (not its receipt): the
   * ledger of 100 000 jobs must fit a small board, and a duplicate only needs the answer.
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

export interface JournalLike<R> {
  append(record: R): Promise<void>;
}

export class JobLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private seq = 0;

  constructor(private readonly journal: JournalLike<LedgerRecord>) {}

  /** Rebuilds the view from the journal's records at boot. */
  load(records: readonly LedgerRecord[]): void {
    for (const r of records) this.apply(r);
  }

  /** One journal record at boot (Journal.open's onRecord). */
  replay(record: LedgerRecord): void {
    this.apply(record);
  }

  /** Appends a record durably, then applies it. */
  async record(r: LedgerRecord): Promise<LedgerEntry> {
    await this.journal.append(r);
    return this.apply(r);
  }

  get(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  /** The job that holds `id`: an entry that is not an old refusal. */
  holder(id: string): LedgerEntry | undefined {
    const e = this.entries.get(id);
    return e && !e.rejected ? e : undefined;
  }

  /** Jobs accepted and not finished, in the order they were accepted. */
  unfinished(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.job && e.status !== 'done' && e.status !== 'fail').sort((a, b) => a.seq - b.seq);
  }

  /** Final results the broker has not acknowledged (republished at start). */
  unreported(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.resultJson !== undefined && !e.reported).sort((a, b) => a.seq - b.seq);
  }

  /** The final result of a finished job. */
  resultOf(entry: LedgerEntry): JobResult | undefined {
    return entry.resultJson === undefined ? undefined : withEcho(JSON.parse(entry.resultJson) as JobResult, entry.echo, entry.type);
  }

  counts(): Record<JobStatus, number> {
    const c: Record<JobStatus, number> = { accepted: 0, in_progress: 0, fiscalized_not_printed: 0, done: 0, fail: 0 };
    for (const e of this.entries.values()) c[e.status]++;
    return c;
  }

  /** Every job id, in acceptance order. */
  ids(): string[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq).map((e) => e.id);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Retention while running (issue 9 §5): forgets finished jobs older than `keepMs`, as
   * compaction drops them from the journal; their ids are no longer duplicates. Returns how many.
   */
  forgetExpired(nowMs: number, keepMs: number): number {
    let forgotten = 0;
    for (const [id, entry] of this.entries) {
      if (!isExpired(entry, nowMs, keepMs)) continue;
      this.entries.delete(id);
      forgotten++;
    }
    return forgotten;
  }

  private apply(r: LedgerRecord): LedgerEntry {
    const prev = this.entries.get(r.id);
    const base: LedgerEntry = prev ?? { id: ownCopy(r.id), acceptedAt: r.at, seq: ++this.seq, status: 'accepted' };
    let next: LedgerEntry;
    switch (r.k) {
      case 'accepted': {
        const { rejected: _old, ...rest } = base;
        // Own copies: these outlive the job in finished entries (see ownCopy).
        next = { ...rest, job: r.job, type: TYPES[r.job.type], acceptedAt: r.at, ...(r.digest !== undefined ? { digest: ownCopy(r.digest) } : {}), ...(r.echo !== undefined ? { echo: echoCopy(r.echo) } : {}) };
        break;
      }
      case 'rejected':
        next = { ...finished(base, r.result, r.at), rejected: true };
        break;
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
      case 'finished':
        next = finished(base, r.result, r.at);
        break;
      case 'reported':
        next = { ...base, reported: true };
        break;
      case 'snapshot':
        next = { ...r.entry, seq: prev?.seq ?? ++this.seq };
        break;
    }
    this.entries.set(next.id, next);
    return next;
  }
}

function finished(base: LedgerEntry, result: JobResult, at: number): LedgerEntry {
  const status = result.status === 'unknown' ? 'fail' : STATUS[result.status];
  const kept = { ...(base.type !== undefined ? { type: base.type } : {}), ...(base.digest !== undefined ? { digest: base.digest } : {}), ...(base.echo !== undefined ? { echo: base.echo } : {}) };
  return { id: base.id, acceptedAt: base.acceptedAt, seq: base.seq, ...kept, status, resultJson: JSON.stringify(result), finishedAt: at, reported: false };
}

/** Job types interned like the statuses below. */
const TYPES: Readonly<Record<JobType, JobType>> = Object.fromEntries(JOB_TYPES.map((t) => [t, t])) as Record<JobType, JobType>;

/**
 * Strings decoded from the journal can be slices of the whole segment's text: a kept slice
 * keeps the segment alive. Statuses come from this table and ids are copied, so a ledger of
 * finished jobs holds only its own small strings (issue 3: RSS after 100 000 jobs).
 */
const STATUS: Readonly<Record<JobStatus, JobStatus>> = { accepted: 'accepted', in_progress: 'in_progress', fiscalized_not_printed: 'fiscalized_not_printed', done: 'done', fail: 'fail' };

function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function echoCopy(echo: Echo): Echo {
  return Object.fromEntries(Object.entries(echo).map(([k, v]) => [k, typeof v === 'string' ? ownCopy(v) : v])) as Echo;
}

/**
 * Compaction: one snapshot record per job worth keeping. Finished jobs older than
 * `keepMs` before `nowMs` are dropped: their ids are no longer recognised as duplicates.
 */
export function compactLedger(records: readonly LedgerRecord[], nowMs: number, keepMs: number): LedgerRecord[] {
  const view = new JobLedger({ append: async () => {} });
  view.load(records);
  const out: LedgerRecord[] = [];
  for (const id of view.ids()) {
    const entry = view.get(id);
    if (!entry) continue;
    if (isExpired(entry, nowMs, keepMs)) continue;
    out.push({ k: 'snapshot', id, at: entry.acceptedAt, entry });
  }
  return out;
}

/** A finished job past the retention (config `journal.keepDays`). */
function isExpired(entry: LedgerEntry, nowMs: number, keepMs: number): boolean {
  return entry.finishedAt !== undefined && nowMs - entry.finishedAt > keepMs;
}
