/**
 * The edge of the register (issue 3 §1–2, DESIGN.md §1 invariant 4): payload bytes → a Job
 * the pipeline can fiscalize, or every problem with its path. Three stages, each run only
 * when the one before found nothing, so no problem is the echo of another:
 *   1. bytes → value: size limit first, then JSON or CBOR (decode-payload.ts);
 *   2. shape: the published JSON Schema and the body-per-type rules (job-schema.ts);
 *   3. meaning: exact money, arithmetic, codes for the FFD version, INN check digits,
 *      CP866 lengths, buyer contact, the registration (atol-receipt.ts, order-bundle.ts).
 * Pure and total: it never throws, whatever the bytes.
 */
import type { Operation } from '../fiscal/receipt-codes.ts';
import { atolCorrection, atolReceipt } from './atol-receipt.ts';
import { decodePayload } from './decode-payload.ts';
import { digestOf } from './job-digest.ts';
import { JOB_TYPES, type CorrectionJobType, type Job, type JobType, type ParseOutcome, type Problem, type ReceiptJobType, type ValidationContext } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import { translateForms } from './job-forms.ts';
import { cashierOf } from './job-parties.ts';
import { bodyProblems, schemaProblems } from './job-schema.ts';
import type { WireJob } from './job-wire.ts';
import { orderBundleReceipt } from './order-bundle.ts';

/** A fail result carries at most this many problems; the last one says how many more there were. */
export const MAX_PROBLEMS = 100;

/** Job type → calculation sign 1054 of the receipt it makes (fiscal-spec §2.3). */
const OPERATION: Readonly<Record<ReceiptJobType | CorrectionJobType, Operation>> = {
  sell: 'sell',
  sell_refund: 'sell_refund',
  buy: 'buy',
  buy_refund: 'buy_refund',
  sell_correction: 'sell',
  buy_correction: 'buy',
  sell_refund_correction: 'sell_refund',
  buy_refund_correction: 'buy_refund',
};

/**
 * What a payload is (issue 11 §3): a job, a refusal that names the job's id and type when
 * the payload let the register know them, or a `report` request (the cloud asks for stored
 * results again, as ATOL Online's report does; answered by the intake, never journaled).
 */
export type PayloadOutcome =
  | { readonly kind: 'job'; readonly job: Job; readonly echo: Echo | undefined; readonly digest: string }
  | { readonly kind: 'invalid'; readonly id: string | undefined; readonly type: JobType | 'report' | undefined; readonly echo: Echo | undefined; readonly problems: readonly Problem[] }
  | { readonly kind: 'report'; readonly id: string; readonly ids: readonly string[] };

/** A report request names at most this many job ids. */
export const MAX_REPORT_IDS = 100;

export function parseJobPayload(payload: Uint8Array, ctx: ValidationContext): ParseOutcome {
  const o = parsePayload(payload, ctx);
  if (o.kind === 'job') return { ok: true, job: o.job };
  if (o.kind === 'invalid') return fail(o.id, o.problems);
  return fail(o.id, [{ path: 'type', message: 'a report request is answered by the intake, it makes no job' }]);
}

export function parsePayload(payload: Uint8Array, ctx: ValidationContext): PayloadOutcome {
  try {
    return parse(payload, ctx);
  } catch (err) {
    // Not expected: every stage returns problems. Kept so that even a bug here becomes a
    // fail result for the cloud instead of an exception in the MQTT handler.
    return invalid(undefined, undefined, undefined, [{ path: '', message: `the register could not read this job (${err instanceof Error ? err.message : String(err)})` }]);
  }
}

function parse(payload: Uint8Array, ctx: ValidationContext): PayloadOutcome {
  const decoded = decodePayload(payload, ctx.maxPayloadBytes);
  const type = readableType(decoded.value);
  if (!decoded.ok) return invalid(readableId(decoded.value), type, undefined, decoded.problems);
  if (type === 'report') return reportRequest(decoded.value);
  const front = translateForms(decoded.value, ctx);
  const raw = front.value;
  const id = readableId(raw);
  const rename = (list: readonly Problem[]): Problem[] => list.map((p) => ({ ...p, path: front.rename(p.path) }));
  const shape = front.stop ? front.problems : [...front.problems, ...rename([...schemaProblems(raw), ...bodyProblems(raw)])];
  if (shape.length > 0) return invalid(id, type, front.echo, shape);
  const problems: Problem[] = [];
  const job = toJob(raw as WireJob, ctx, problems);
  if (problems.length > 0) return invalid(id, type, front.echo, rename(problems));
  return { kind: 'job', job, echo: front.echo, digest: digestOf(decoded.value) };
}

/** `{version: 1, id, type: "report", ids: [...]}`: the stored results of those jobs, again. */
function reportRequest(raw: unknown): PayloadOutcome {
  const r = raw as Record<string, unknown>;
  const id = readableId(raw);
  const problems: Problem[] = [];
  if (r['version'] !== 1) problems.push({ path: 'version', message: 'must be 1' });
  if (id === undefined) problems.push({ path: 'id', message: 'is required: 1 to 64 characters without control characters or unpaired surrogates' });
  const ids = r['ids'];
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_REPORT_IDS) problems.push({ path: 'ids', message: `must list 1 to ${MAX_REPORT_IDS} job ids` });
  else ids.forEach((x, i) => readableId({ id: x }) === undefined && problems.push({ path: `ids[${i}]`, message: 'is not a job id (1 to 64 characters without control characters or unpaired surrogates)' }));
  for (const k of Object.keys(r)) if (!['version', 'id', 'type', 'ids'].includes(k)) problems.push({ path: k, message: 'is not a field of a report request' });
  if (problems.length > 0 || id === undefined) return invalid(id, 'report', undefined, problems);
  return { kind: 'report', id, ids: ids as string[] };
}

function toJob(w: WireJob, ctx: ValidationContext, problems: Problem[]): Job {
  switch (w.type) {
    case 'sell':
    case 'sell_refund':
    case 'buy':
    case 'buy_refund': {
      const op = OPERATION[w.type];
      const { receipt, electronic, warnings } = w.order_bundle ? orderBundleReceipt(w.order_bundle, op, w, ctx, problems) : atolReceipt(need(w.receipt), 'receipt', op, w, ctx, problems);
      return { id: w.id, type: w.type, receipt, electronic, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    case 'sell_correction':
    case 'buy_correction':
    case 'sell_refund_correction':
    case 'buy_refund_correction': {
      const { receipt, electronic, warnings } = atolCorrection(need(w.correction), OPERATION[w.type], w, ctx, problems);
      return { id: w.id, type: w.type, correction: receipt, electronic, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    default: {
      const cashier = cashierOf({ value: w.cashier, path: 'cashier' }, { value: w.cashier_inn, path: 'cashier_inn' }, ctx, problems);
      return { id: w.id, type: w.type, ...(cashier !== undefined ? { cashier } : {}), ...(w.fd !== undefined ? { fd: w.fd } : {}) };
    }
  }
}

/** The schema guarantees the body of each type (job-schema.ts BODIES); this only narrows. */
function need<T>(body: T | undefined): T {
  if (body === undefined) throw new Error('job body missing after the schema accepted it');
  return body;
}

/** The job's type when it is a known one, so a refusal can name it. */
function readableType(raw: unknown): JobType | 'report' | undefined {
  const type = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>)['type'] : undefined;
  return type === 'report' || (JOB_TYPES as readonly unknown[]).includes(type) ? (type as JobType | 'report') : undefined;
}

/** The job's id when it is a valid one, so even a rejected job's fail result names it. */
function readableId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const id = (raw as Record<string, unknown>)['id'];
  // No unpaired surrogate: the journal stores ids as UTF-8 (CBOR), where one becomes U+FFFD,
  // and two such ids would come back from a restart as the same id (issue 9 §5 review).
  // 64 counted as the schema's maxLength counts (code points, not UTF-16 units): an id the
  // schema takes is an id a refusal names.
  if (typeof id !== 'string' || /[\u0000-\u001f\u007f]|[\ud800-\udfff]/u.test(id)) return undefined;
  const length = [...id].length;
  return length >= 1 && length <= 64 ? id : undefined;
}

function fail(id: string | undefined, problems: readonly Problem[]): ParseOutcome {
  return { ok: false, id, problems };
}

function invalid(id: string | undefined, type: JobType | 'report' | undefined, echo: Echo | undefined, problems: readonly Problem[]): PayloadOutcome {
  const shown = problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS - 1), { path: '', message: `and ${problems.length - MAX_PROBLEMS + 1} more problems` }] : problems;
  return { kind: 'invalid', id, type, echo, problems: shown };
}
