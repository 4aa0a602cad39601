/**
 * Results sent back to the cloud, in ATOL Online's report vocabulary, so a cloud that
 * reads ATOL reports reads ours (see README.md "Results"). A job moves through
 *   accepted → in_progress → done | fiscalized_not_printed → done
 * or ends in fail. Only `done` and `fail` are final.
 */
import { atolDateTime } from '../core/local-time.ts';
import { fnsQrString } from '../fiscal/fns-qr.ts';
import type { Problem } from './job.ts';
import type { Echo } from './job-form-kit.ts';

export const RESULT_VERSION = 1;

export type JobStatus = 'accepted' | 'in_progress' | 'fiscalized_not_printed' | 'done' | 'fail';
/** What a result may say: a job's status, or `unknown` in the answer to a report request (issue 11 §3). */
export type ResultStatus = JobStatus | 'unknown';

/**
 * ATOL Online's status vocabulary (its report's `status`): `wait` until the document is
 * formed and reported, then `done` or `fail`. `unknown` has no ATOL twin (ATOL answers 404).
 */
export const ATOL_STATUS: Readonly<Record<ResultStatus, 'wait' | 'done' | 'fail' | 'unknown'>> = {
  accepted: 'wait',
  in_progress: 'wait',
  fiscalized_not_printed: 'wait',
  done: 'done',
  fail: 'fail',
  unknown: 'unknown',
};
export type Recommendation = 'retry' | 'fix_data' | 'fix_device';

/** What the FN gave a fiscalized document, and the registration it was formed under. */
export interface FiscalAttributes {
  readonly fdType: number;
  readonly fd: number;
  readonly fpd: number;
  /** 1012, register-local seconds. */
  readonly dateTime: number;
  readonly shiftNumber: number;
  /** Receipts only. */
  readonly receiptNumber?: number;
  readonly operationType?: number;
  readonly totalKopecks?: number;
  readonly fnNumber: string;
  readonly rnm: string;
  readonly ofdInn: string;
  readonly fnsSite: string;
  /** Settlement-state report (19h): documents not yet confirmed by the OFD, and the date of the first. */
  readonly unconfirmedCount?: number;
  readonly firstUnconfirmedDate?: number;
}

export interface ResultPayload {
  /** Rubles. */
  readonly total?: number;
  readonly fns_site: string;
  readonly fn_number: string;
  readonly shift_number: number;
  /** "dd.mm.yyyy HH:MM:SS", register-local time. */
  readonly receipt_datetime: string;
  readonly fiscal_receipt_number?: number;
  readonly fiscal_document_number: number;
  readonly ecr_registration_number: string;
  readonly fiscal_document_attribute: number;
  readonly ofd_inn: string;
  /** The FNS QR code string (receipts only). */
  readonly qr?: string;
}

export interface ResultError {
  /** A stable id: one of the table "Every error.code" in README.md (invalid_job, fn_blocked, clock, …). */
  readonly code: string;
  readonly text: string;
  readonly recommendation: Recommendation;
  /** For invalid jobs: every problem with its JSON path. */
  readonly problems?: readonly Problem[];
  /** The FN's response code, when the FN refused. */
  readonly fn_code?: number;
  /** For `id_conflict`: the job that holds the id. */
  readonly stored_job?: StoredJobSummary;
}

/** What a cloud needs to recognise the job that already holds an id. */
export interface StoredJobSummary {
  readonly id: string;
  readonly type?: string;
  readonly status: JobStatus;
  /** "dd.mm.yyyy HH:MM:SS", when the register accepted it. */
  readonly accepted_at: string;
  readonly fiscal_document_number?: number;
  /** Rubles. */
  readonly total?: number;
}

export interface JobResult {
  readonly version: typeof RESULT_VERSION;
  /** The job id; null when a payload was too broken to name one. */
  readonly id: string | null;
  readonly type?: string;
  readonly status: ResultStatus;
  /** The same status in ATOL Online's words (wait, done, fail). */
  readonly atol_status?: 'wait' | 'done' | 'fail' | 'unknown';
  /** ATOL echoes (issue 11 §2): the cloud's uuid, external_id and callback_url, as the job gave them. */
  readonly uuid?: string;
  readonly external_id?: string;
  readonly callback_url?: string;
  readonly device_id: string;
  /** "dd.mm.yyyy HH:MM:SS" when this result was made, register-local time. */
  readonly timestamp: string;
  readonly payload?: ResultPayload;
  /** False while a fiscalized document waits for paper; absent for electronic receipts. */
  readonly printed?: boolean;
  readonly error?: ResultError;
  /** Lawful but worth a look, e.g. 20 % VAT on a 2026 receipt (fiscal-spec §7.2); absent when none. */
  readonly warnings?: readonly string[];
  /** A human note, e.g. "shift 3 is already open" for an open_shift job that formed nothing. */
  readonly message?: string;
  /** Issue 13 §2: `local` for a job of the register's local API (a retail program), absent for the cloud's own. */
  readonly source?: 'local';
  /** The answer to a local API query task (getShiftStatus, getFnInfo, …), in the ATOL driver's words. */
  readonly local_result?: Readonly<Record<string, unknown>>;
}

export const FINAL_STATUSES: ReadonlySet<ResultStatus> = new Set(['done', 'fail']);

/** A result with the job's echoes and its ATOL status: what goes on the wire. */
export function withEcho(result: JobResult, echo: Echo | undefined, type: string | undefined): JobResult {
  return {
    ...result,
    ...(result.type === undefined && type !== undefined ? { type } : {}),
    ...(echo ?? {}),
    atol_status: ATOL_STATUS[result.status],
  };
}

export function fiscalPayload(f: FiscalAttributes): ResultPayload {
  const isReceipt = f.receiptNumber !== undefined && f.operationType !== undefined && f.totalKopecks !== undefined;
  return {
    ...(f.totalKopecks !== undefined ? { total: f.totalKopecks / 100 } : {}),
    fns_site: f.fnsSite,
    fn_number: f.fnNumber,
    shift_number: f.shiftNumber,
    receipt_datetime: atolDateTime(f.dateTime),
    ...(f.receiptNumber !== undefined ? { fiscal_receipt_number: f.receiptNumber } : {}),
    fiscal_document_number: f.fd,
    ecr_registration_number: f.rnm,
    fiscal_document_attribute: f.fpd,
    ofd_inn: f.ofdInn,
    ...(isReceipt
      ? { qr: fnsQrString({ dateTime: f.dateTime, totalKopecks: f.totalKopecks ?? 0, fnNumber: f.fnNumber, fd: f.fd, fpd: f.fpd, operationType: f.operationType ?? 0 }) }
      : {}),
  };
}
