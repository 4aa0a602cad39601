/**
 * The job ledger's records and entries (DESIGN.md §1): what the journal holds for a job, and
 * the fold of them the ledger keeps. Types only; job-ledger.ts re-exports them.
 */
import type { RecordPlace } from '../journal/segment-files.ts';
import type { FinishedJobs } from './finished-jobs.ts';
import type { Job, JobType } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import type { FiscalAttributes, JobResult, JobStatus } from './job-result.ts';

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

/** What the ledger needs of the journal: durable appends that say where they went, and reads back. */
export interface LedgerJournal {
  append(record: LedgerRecord): Promise<RecordPlace>;
  /** The record at the place `locate` gives when asked (journal.ts: never during a compaction's swap). */
  read(locate: () => RecordPlace | undefined): Promise<LedgerRecord | undefined>;
}

/** The ledger's parts, for compaction and the index file. */
export interface LedgerView {
  readonly live: ReadonlyMap<string, LedgerEntry>;
  readonly livePlaces: ReadonlyMap<string, RecordPlace>;
  readonly finished: FinishedJobs;
  readonly seq: number;
  readonly last: RecordPlace | undefined;
}
