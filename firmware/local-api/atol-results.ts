/**
 * A task's state in the ATOL web server's words (issue 13 §1): the ledger's status and
 * final result → `{status, errorCode, errorDescription, error, result}`. Pure.
 *
 * Statuses are the web server's (Bedunkevich/atol src/types.ts TaskResultStatus): wait,
 * inProgress, ready, error, interrupted, blocked, canceled. Its clients read the error both
 * as `error: {code, description}` (Bedunkevich/atol, F-Lab Market) and as `errorCode` /
 * `errorDescription`; every task result carries both. (F-Lab Market: izzatbek1988/TestMarket,
 * AtolDrivers/WebRequests/AtolWebRequestsDriver.cs.)
 */
import type { LedgerEntry } from '../jobs/job-ledger.ts';
import type { JobResult, ResultPayload } from '../jobs/job-result.ts';

export type AtolTaskStatus = 'wait' | 'inProgress' | 'ready' | 'error' | 'interrupted' | 'blocked' | 'canceled';

export interface AtolTaskResult {
  readonly status: AtolTaskStatus;
  readonly errorCode: number;
  readonly errorDescription: string;
  readonly error: { readonly code: number; readonly description: string };
  readonly result: Readonly<Record<string, unknown>> | null;
  /** The register's own words: its error code (firmware/jobs/README.md "Every error.code") and the job's id. */
  readonly kassa: { readonly id: string; readonly status: string; readonly errorName?: string };
}

/** The register's error codes → the number in `errorCode` (0: no error). Documented in README.md. */
export const ERROR_NUMBERS: Readonly<Record<string, number>> = {
  invalid_job: 1,
  id_conflict: 1,
  no_document: 2,
  fn_state: 3,
  clock: 3,
  canceled: 4,
  interrupted: 5,
};
/** Any other refusal (an FN answer: fn_blocked, shift_expired, …). */
const OTHER_ERROR = 6;

/** What the pipeline says about the device right now. */
export interface DeviceBlock {
  /** The FN stopped answering mid-job: the head job waits in an uncertain state. */
  readonly fnUncertain: boolean;
}

export function taskResult(entry: LedgerEntry, final: JobResult | undefined, device: DeviceBlock): AtolTaskResult {
  const kassa = { id: entry.id, status: entry.status };
  if (final?.status === 'fail') {
    const name = final.error?.code ?? 'fail';
    const status: AtolTaskStatus = name === 'canceled' ? 'canceled' : name === 'interrupted' ? 'interrupted' : 'error';
    const code = ERROR_NUMBERS[name] ?? OTHER_ERROR;
    const description = `${name}: ${final.error?.text ?? final.message ?? 'failed'}${problemsText(final)}`;
    return { status, errorCode: code, errorDescription: description, error: { code, description }, result: null, kassa: { ...kassa, errorName: name } };
  }
  if (final) return ok('ready', resultOf(final), kassa);
  // Fiscalized and waiting for paper (or cover): "blocked" until printed or continuePrint.
  if (entry.status === 'fiscalized_not_printed') return ok('blocked', null, kassa, 'fiscalized, waiting for the printer: load paper, then continuePrint');
  if (entry.status === 'in_progress') return device.fnUncertain ? ok('blocked', null, kassa, 'the FN stopped answering during this task; the register retries and reconciles') : ok('inProgress', null, kassa);
  return ok('wait', null, kassa);
}

function ok(status: AtolTaskStatus, result: Readonly<Record<string, unknown>> | null, kassa: AtolTaskResult['kassa'], note?: string): AtolTaskResult {
  const description = note ?? 'Ошибок нет';
  return { status, errorCode: 0, errorDescription: description, error: { code: 0, description }, result, kassa };
}

function problemsText(r: JobResult): string {
  const p = r.error?.problems;
  return p && p.length > 0 ? ` (${p.map((x) => `${x.path || '(task)'}: ${x.message}`).join('; ')})` : '';
}

/** The web server's result of a finished task: fiscal parameters for documents, the answer for queries. */
function resultOf(r: JobResult): Readonly<Record<string, unknown>> {
  if (r.local_result) return r.local_result;
  if (r.payload) return { fiscalParams: fiscalParams(r.payload), warnings: null };
  return r.message !== undefined ? { message: r.message } : {};
}

function fiscalParams(p: ResultPayload): Record<string, unknown> {
  return {
    fiscalDocumentNumber: p.fiscal_document_number,
    fiscalDocumentSign: String(p.fiscal_document_attribute),
    ...(p.fiscal_receipt_number !== undefined ? { fiscalReceiptNumber: p.fiscal_receipt_number } : {}),
    fnNumber: p.fn_number,
    registrationNumber: p.ecr_registration_number.trim(),
    shiftNumber: p.shift_number,
    ...(p.total !== undefined ? { total: p.total } : {}),
    fnsUrl: p.fns_site,
    // Register-local time, ISO order without an offset ("dd.mm.yyyy HH:MM:SS" → "yyyy-mm-ddTHH:MM:SS").
    [p.fiscal_receipt_number !== undefined ? 'receiptDateTime' : 'fiscalDocumentDateTime']: isoLocal(p.receipt_datetime),
  };
}

export function isoLocal(atol: string): string {
  const m = /^(\d{2})\.(\d{2})\.(\d{4}) (\d{2}:\d{2}:\d{2})$/.exec(atol);
  return m ? `${m[3]}-${m[2]}-${m[1]}T${m[4]}` : atol;
}
