/**
 * VAT rates: one row per rate — ATOL-style id, tag 1199 code, the receipt-total tag that
 * sums it, and the fraction of a VAT-inclusive amount that is VAT (fiscal-spec §2.3, §6.4).
 *
 * Only the confirmed codes are here. 5 %, 7 % (2025) and 22 % (2026) have no confirmed
 * 1199 codes yet (fiscal-spec §6.4): a job that names them is refused by the validator
 * rather than fiscalized with a guessed code. Adding a rate is adding a row.
 */
export interface VatRate {
  readonly id: VatRateId;
  readonly code1199: number;
  /** Receipt-level total tag: VAT sum for 1102/1103/1106/1107, item-sum total for 1104/1105. */
  readonly totalTag: number;
  /** True for 1104/1105, whose totals are sums of items, not of VAT. */
  readonly totalIsItemSum: boolean;
  /** VAT as a fraction of the VAT-inclusive price; 0/1 for 0 % and no VAT. */
  readonly numerator: bigint;
  readonly denominator: bigint;
  readonly label: string;
  /** The receipt total's printed name (fiscal-spec §4.2 "VAT totals"). */
  readonly totalLabel: string;
}

export type VatRateId = 'vat20' | 'vat10' | 'vat120' | 'vat110' | 'vat0' | 'none';

export const VAT_RATES: readonly VatRate[] = [
  { id: 'vat20', code1199: 1, totalTag: 1102, totalIsItemSum: false, numerator: 20n, denominator: 120n, label: 'НДС 20%', totalLabel: 'СУММА НДС 20%' },
  { id: 'vat10', code1199: 2, totalTag: 1103, totalIsItemSum: false, numerator: 10n, denominator: 110n, label: 'НДС 10%', totalLabel: 'СУММА НДС 10%' },
  { id: 'vat120', code1199: 3, totalTag: 1106, totalIsItemSum: false, numerator: 20n, denominator: 120n, label: 'НДС 20/120', totalLabel: 'СУММА НДС 20/120' },
  { id: 'vat110', code1199: 4, totalTag: 1107, totalIsItemSum: false, numerator: 10n, denominator: 110n, label: 'НДС 10/110', totalLabel: 'СУММА НДС 10/110' },
  { id: 'vat0', code1199: 5, totalTag: 1104, totalIsItemSum: true, numerator: 0n, denominator: 1n, label: 'НДС 0%', totalLabel: 'СУММА С НДС 0%' },
  { id: 'none', code1199: 6, totalTag: 1105, totalIsItemSum: true, numerator: 0n, denominator: 1n, label: 'БЕЗ НДС', totalLabel: 'СУММА БЕЗ НДС' },
];

const BY_ID = new Map(VAT_RATES.map((r) => [r.id, r]));
const BY_CODE = new Map(VAT_RATES.map((r) => [r.code1199, r]));

export function vatRate(id: string): VatRate | undefined {
  return BY_ID.get(id as VatRateId);
}

export function vatRateByCode(code: number): VatRate | undefined {
  return BY_CODE.get(code);
}

/** VAT contained in a VAT-inclusive amount, rounded half up to the kopeck, in integers only. */
export function vatOf(rate: VatRate, amountKopecks: number): number {
  const num = BigInt(amountKopecks) * rate.numerator * 2n + rate.denominator;
  return Number(num / (2n * rate.denominator));
}
