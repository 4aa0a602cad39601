/**
 * The FN's counters (command 36h, fn-protocol §4.2.1, Tables 16–18): per calculation sign
 * (1054 = 1…4) the number of receipts and their sums, and the correction receipts. Pure codec,
 * used by the FN emulator to answer 36h and by the driver's face to read it.
 *
 * Table 17 has VAT fields for six rates only — "18 %" (20 % since 2019, 1102), 10 % (1103),
 * 0 % (1104), no VAT (1105), 18/118 (20/120, 1106), 10/110 (1107). Receipts at the 2025–2026
 * rates (1199 codes 7–12, totals in 1115) count in the number of receipts, the total and the
 * payment sums, but protocol v1.2.06 has no field for their VAT (fiscal-spec §7.1).
 */
import { decodeLayout, encodeLayout, type LayoutValue } from './fn-layout.ts';

/** Table 17: one calculation sign. Sums in kopecks. */
const SIGN_LAYOUT = [
  ['count', 'u32'],
  ['total', 'u48'],
  ['cash', 'u48'],
  ['electronic', 'u48'],
  ['prepaid', 'u48'],
  ['credit', 'u48'],
  ['barter', 'u48'],
  ['vat20', 'u48'],
  ['vat10', 'u48'],
  ['sumVat0', 'u48'],
  ['sumNoVat', 'u48'],
  ['vat120', 'u48'],
  ['vat110', 'u48'],
] as const;

/** Table 18: the correction receipts. */
const CORRECTION_LAYOUT = [
  ['count', 'u32'],
  ['sellCount', 'u32'],
  ['sellTotal', 'u48'],
  ['sellRefundCount', 'u32'],
  ['sellRefundTotal', 'u48'],
  ['buyCount', 'u32'],
  ['buyTotal', 'u48'],
  ['buyRefundCount', 'u32'],
  ['buyRefundTotal', 'u48'],
] as const;

export type SignCounters = LayoutValue<typeof SIGN_LAYOUT>;
export type CorrectionCounters = LayoutValue<typeof CORRECTION_LAYOUT>;

/** The four Table 17 blocks and the Table 18 block, in the order of Table 16. */
export interface CounterBlocks {
  readonly sell: SignCounters;
  readonly sellRefund: SignCounters;
  readonly buy: SignCounters;
  readonly buyRefund: SignCounters;
  readonly corrections: CorrectionCounters;
}

/** 4 × 76 + 44 bytes (Table 16). */
export const COUNTER_BLOCKS_BYTES = 348;
const SIGN_BYTES = 76;
const SIGNS = ['sell', 'sellRefund', 'buy', 'buyRefund'] as const;

export function emptySignCounters(): SignCounters {
  return { count: 0, total: 0, cash: 0, electronic: 0, prepaid: 0, credit: 0, barter: 0, vat20: 0, vat10: 0, sumVat0: 0, sumNoVat: 0, vat120: 0, vat110: 0 };
}

export function emptyCorrectionCounters(): CorrectionCounters {
  return { count: 0, sellCount: 0, sellTotal: 0, sellRefundCount: 0, sellRefundTotal: 0, buyCount: 0, buyTotal: 0, buyRefundCount: 0, buyRefundTotal: 0 };
}

export function encodeCounterBlocks(b: CounterBlocks): Uint8Array {
  const out = new Uint8Array(COUNTER_BLOCKS_BYTES);
  SIGNS.forEach((sign, i) => out.set(encodeLayout(SIGN_LAYOUT, b[sign]), i * SIGN_BYTES));
  out.set(encodeLayout(CORRECTION_LAYOUT, b.corrections), SIGNS.length * SIGN_BYTES);
  return out;
}

export function decodeCounterBlocks(bytes: Uint8Array): CounterBlocks {
  const sign = (i: number): SignCounters => decodeLayout(SIGN_LAYOUT, bytes.subarray(i * SIGN_BYTES, (i + 1) * SIGN_BYTES));
  return { sell: sign(0), sellRefund: sign(1), buy: sign(2), buyRefund: sign(3), corrections: decodeLayout(CORRECTION_LAYOUT, bytes.subarray(SIGNS.length * SIGN_BYTES)) };
}

/** The block of a calculation sign (1054 = 1…4). */
export const SIGN_BLOCK: Readonly<Record<number, (typeof SIGNS)[number]>> = { 1: 'sell', 2: 'sellRefund', 3: 'buy', 4: 'buyRefund' };
