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
import type { CorrectionJobType, Job, ParseOutcome, Problem, ReceiptJobType, ValidationContext } from './job.ts';
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

export function parseJobPayload(payload: Uint8Array, ctx: ValidationContext): ParseOutcome {
  try {
    return parse(payload, ctx);
  } catch (err) {
    // Not expected: every stage returns problems. Kept so that even a bug here becomes a
    // fail result for the cloud instead of an exception in the MQTT handler.
    return fail(undefined, [{ path: '', message: `the register could not read this job (${err instanceof Error ? err.message : String(err)})` }]);
  }
}

function parse(payload: Uint8Array, ctx: ValidationContext): ParseOutcome {
  const decoded = decodePayload(payload, ctx.maxPayloadBytes);
  if (!decoded.ok) return fail(undefined, decoded.problems);
  const raw = decoded.value;
  const id = readableId(raw);
  const shape = [...schemaProblems(raw), ...bodyProblems(raw)];
  if (shape.length > 0) return fail(id, shape);
  const problems: Problem[] = [];
  const job = toJob(raw as WireJob, ctx, problems);
  return problems.length > 0 ? fail(id, problems) : { ok: true, job };
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

/** The job's id when it is a valid one, so even a rejected job's fail result names it. */
function readableId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const id = (raw as Record<string, unknown>)['id'];
  return typeof id === 'string' && id.length >= 1 && id.length <= 64 && !/[\u0000-\u001f\u007f]/.test(id) ? id : undefined;
}

function fail(id: string | undefined, problems: readonly Problem[]): ParseOutcome {
  const shown = problems.length > MAX_PROBLEMS ? [...problems.slice(0, MAX_PROBLEMS - 1), { path: '', message: `and ${problems.length - MAX_PROBLEMS + 1} more problems` }] : problems;
  return { ok: false, id, problems: shown };
}
