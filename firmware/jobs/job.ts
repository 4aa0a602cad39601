/**
 * A receipt job once it has passed the edge: the register's own model, independent of
 * the wire form it came in (ATOL Online v5 receipt, or a Sberbank acquiring orderBundle;
 * JSON or CBOR). Produced by parse-job.ts; consumed by the fiscal pipeline.
 */
import type { Cashier, CorrectionReceipt, Receipt } from '../fiscal/receipt.ts';

export const JOB_TYPES = [
  'sell',
  'sell_refund',
  'buy',
  'buy_refund',
  'sell_correction',
  'buy_correction',
  'sell_refund_correction',
  'buy_refund_correction',
  'open_shift',
  'close_shift',
  'x_report',
  'state_report',
  'print_copy',
  'continue_printing',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

export type ReceiptJobType = 'sell' | 'sell_refund' | 'buy' | 'buy_refund';
/** 1054 of the correction: 1, 3 (FFD 1.05 and 1.2), 2, 4 (FFD 1.2 only; fiscal-spec §7.4). */
export type CorrectionJobType = 'sell_correction' | 'buy_correction' | 'sell_refund_correction' | 'buy_refund_correction';

interface JobBase {
  /** The cloud's id of the job (ATOL `external_id`); the key of exactly-once. */
  readonly id: string;
}

export interface ReceiptJob extends JobBase {
  readonly type: ReceiptJobType;
  readonly receipt: Receipt;
  /** Electronic-only receipt (ATOL `internet: true`): sent to the buyer, not printed. */
  readonly electronic: boolean;
  /** Lawful but worth a look (20 % in 2026, fiscal-spec §7.2): carried into the job's results. */
  readonly warnings?: readonly string[];
}

export interface CorrectionJob extends JobBase {
  readonly type: CorrectionJobType;
  readonly correction: CorrectionReceipt;
  readonly electronic: boolean;
  readonly warnings?: readonly string[];
}

/** open_shift, close_shift, x_report, state_report, print_copy, continue_printing: no receipt. */
export interface ServiceJob extends JobBase {
  readonly type: 'open_shift' | 'close_shift' | 'x_report' | 'state_report' | 'print_copy' | 'continue_printing';
  readonly cashier?: Cashier;
  /** print_copy: the FD number to print again (the last document when absent). */
  readonly fd?: number;
}

export type Job = ReceiptJob | CorrectionJob | ServiceJob;

/** One thing wrong with a job, with the JSON path of the field (e.g. `receipt.items[2].sum`). */
export interface Problem {
  readonly path: string;
  readonly message: string;
  /**
   * 'unsupported': the job is right by the contract, but this register cannot do it (its FFD
   * version, its firmware). The job fails with `unsupported` and `fix_device`, not `fix_data`.
   */
  readonly kind?: 'unsupported';
}

/** What the edge knows about the register, to check a job against its registration. */
export interface ValidationContext {
  readonly ffd: '1.05' | '1.2';
  /** User INN of the registration (1018). */
  readonly inn: string;
  /** Settlement address (1009) and place (1187): `company.payment_address` must be one of them. */
  readonly address: string;
  readonly place?: string;
  /** Tax systems of the registration (ATOL `sno` names). */
  readonly taxSystems: readonly string[];
  /** Seller details printed on every receipt, from the registration. */
  readonly seller: { readonly name?: string; readonly email?: string; readonly fnsSite?: string };
  /** Used when a job names no cashier. */
  readonly defaultCashier?: Cashier;
  /** Largest payload accepted, bytes. */
  readonly maxPayloadBytes: number;
  /** The register's clock, local seconds: the date of a job that gives no `timestamp` (VAT rate dates, fiscal-spec §7.2). */
  readonly now?: () => number;
}

export type ParseOutcome =
  | { readonly ok: true; readonly job: Job }
  /** `id` when the payload was readable enough to name its job, so the fail result can carry it. */
  | { readonly ok: false; readonly id: string | undefined; readonly problems: readonly Problem[] };
