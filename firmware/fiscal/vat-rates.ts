/**
 * VAT rates: the one table of everything a rate is (fiscal-spec §7.1; sources of every value
 * in firmware/fiscal/SOURCES.md): the ATOL Online name, the tag 1199 code, the Sberbank
 * `tax.taxType` code, where the receipt's total for it goes, the printed labels, the
 * fraction of a VAT-inclusive amount that is VAT, and the dates it may be used.
 *
 * Totals: codes 1–6 have their own receipt-level tags (1102–1107); codes 7–12 have none and
 * go, one STLV 1119 {1199, 1120} per rate, into STLV 1115 (fiscal-spec §7.1). Vendor
 * numbers are never 1199 codes: the Sberbank column is looked up by its own number only.
 * Adding a rate is adding a row.
 */
import type { TaxSystem } from './receipt-codes.ts';

export type VatRateId = 'vat20' | 'vat10' | 'vat120' | 'vat110' | 'vat0' | 'none' | 'vat5' | 'vat7' | 'vat105' | 'vat107' | 'vat22' | 'vat122';

export interface VatRate {
  readonly id: VatRateId;
  readonly code1199: number;
  /** The receipt-level total tag (1102–1107); undefined when the total goes in 1115 → 1119. */
  readonly totalTag: number | undefined;
  /** True for 1104/1105, whose totals are sums of items, not of VAT. */
  readonly totalIsItemSum: boolean;
  /** VAT as a fraction of the VAT-inclusive price; 0/1 for 0 % and no VAT. */
  readonly numerator: bigint;
  readonly denominator: bigint;
  /** Printed beside an item, and the name of the rate in messages. */
  readonly label: string;
  /** The receipt total's printed name (fiscal-spec §4.2 "VAT totals"). */
  readonly totalLabel: string;
  /** Sberbank acquiring `tax.taxType` (fiscal-spec §7.1; [V1] for 8–13, see SOURCES.md). */
  readonly sberTaxType: number;
  /** First day the rate exists ("YYYY-MM-DD", register-local); undefined = always. */
  readonly validFrom?: string;
  /**
   * From this day on the rate is legal only for operations made before it (a refund or a
   * correction of an earlier sale, a prepayment settled later): accepted, with a warning
   * (fiscal-spec §7.2, FNS letter АБ-4-20/11248@).
   */
  readonly legacyFrom?: string;
  /** The rate that replaced it on `legacyFrom`, named in the warning. */
  readonly successor?: VatRateId;
  /** The tax systems (1055) whose receipts may use it; undefined = any. */
  readonly onlyUnder?: readonly TaxSystem[];
  /** The calculated rate of a prepayment or advance at this rate (НК РФ art. 164 p. 4): 22 % → 22/122. */
  readonly calculated?: VatRateId;
}

/**
 * 5 % and 7 % (and their calculated 5/105, 7/107) are the rates of taxpayers on the simplified
 * system who chose them (НК РФ art. 164 p. 8; fiscal-spec §7.2): a receipt of another tax
 * system at one of them contradicts its own 1055.
 */
const USN: readonly TaxSystem[] = ['usn_income', 'usn_income_outcome'];

const row = (r: VatRate): VatRate => r;

export const VAT_RATES: readonly VatRate[] = [
  row({ id: 'vat20', code1199: 1, totalTag: 1102, totalIsItemSum: false, numerator: 20n, denominator: 120n, label: 'НДС 20%', totalLabel: 'СУММА НДС 20%', sberTaxType: 6, legacyFrom: '2026-01-01', successor: 'vat22', calculated: 'vat120' }),
  row({ id: 'vat10', code1199: 2, totalTag: 1103, totalIsItemSum: false, numerator: 10n, denominator: 110n, label: 'НДС 10%', totalLabel: 'СУММА НДС 10%', sberTaxType: 2, calculated: 'vat110' }),
  row({ id: 'vat120', code1199: 3, totalTag: 1106, totalIsItemSum: false, numerator: 20n, denominator: 120n, label: 'НДС 20/120', totalLabel: 'СУММА НДС 20/120', sberTaxType: 7, legacyFrom: '2026-01-01', successor: 'vat122' }),
  row({ id: 'vat110', code1199: 4, totalTag: 1107, totalIsItemSum: false, numerator: 10n, denominator: 110n, label: 'НДС 10/110', totalLabel: 'СУММА НДС 10/110', sberTaxType: 4 }),
  row({ id: 'vat0', code1199: 5, totalTag: 1104, totalIsItemSum: true, numerator: 0n, denominator: 1n, label: 'НДС 0%', totalLabel: 'СУММА С НДС 0%', sberTaxType: 1 }),
  row({ id: 'none', code1199: 6, totalTag: 1105, totalIsItemSum: true, numerator: 0n, denominator: 1n, label: 'БЕЗ НДС', totalLabel: 'СУММА БЕЗ НДС', sberTaxType: 0 }),
  // Codes 7–12: 1199 per fiscal-spec §7.1 (11 seen on a real 2026 receipt, SOURCES.md). Sberbank
  // taxType 8–13: [V1], one integration module; another gateway numbers them 10–15.
  row({ id: 'vat5', code1199: 7, totalTag: undefined, totalIsItemSum: false, numerator: 5n, denominator: 105n, label: 'НДС 5%', totalLabel: 'СУММА НДС 5%', sberTaxType: 8, validFrom: '2025-01-01', onlyUnder: USN, calculated: 'vat105' }),
  row({ id: 'vat7', code1199: 8, totalTag: undefined, totalIsItemSum: false, numerator: 7n, denominator: 107n, label: 'НДС 7%', totalLabel: 'СУММА НДС 7%', sberTaxType: 10, validFrom: '2025-01-01', onlyUnder: USN, calculated: 'vat107' }),
  row({ id: 'vat105', code1199: 9, totalTag: undefined, totalIsItemSum: false, numerator: 5n, denominator: 105n, label: 'НДС 5/105', totalLabel: 'СУММА НДС 5/105', sberTaxType: 9, validFrom: '2025-01-01', onlyUnder: USN }),
  row({ id: 'vat107', code1199: 10, totalTag: undefined, totalIsItemSum: false, numerator: 7n, denominator: 107n, label: 'НДС 7/107', totalLabel: 'СУММА НДС 7/107', sberTaxType: 11, validFrom: '2025-01-01', onlyUnder: USN }),
  row({ id: 'vat22', code1199: 11, totalTag: undefined, totalIsItemSum: false, numerator: 22n, denominator: 122n, label: 'НДС 22%', totalLabel: 'СУММА НДС 22%', sberTaxType: 12, validFrom: '2026-01-01', calculated: 'vat122' }),
  row({ id: 'vat122', code1199: 12, totalTag: undefined, totalIsItemSum: false, numerator: 22n, denominator: 122n, label: 'НДС 22/122', totalLabel: 'СУММА НДС 22/122', sberTaxType: 13, validFrom: '2026-01-01' }),
];

/**
 * Sberbank codes that name no rate of today: 18 % and 18/118, obsolete since 01.01.2019.
 * They are refused, never remapped (fiscal-spec §7.1): the message names the codes to use.
 */
export const SBER_OBSOLETE_TAX_TYPES: Readonly<Record<number, { readonly was: string; readonly use: readonly VatRateId[] }>> = {
  3: { was: 'НДС 18%', use: ['vat20', 'vat22'] },
  5: { was: 'НДС 18/118', use: ['vat120', 'vat122'] },
};

/** Tags of the 1115 group (fiscal-spec §7.1): the group, one rate's entry, its VAT sum. */
export const VAT_TOTALS_TAG = { group: 1115, entry: 1119, sum: 1120 } as const;

const BY_ID = new Map(VAT_RATES.map((r) => [r.id, r]));
const BY_CODE = new Map(VAT_RATES.map((r) => [r.code1199, r]));
const BY_SBER = new Map(VAT_RATES.map((r) => [r.sberTaxType, r]));

/** By ATOL Online name (`vat.type`). */
export function vatRate(id: string): VatRate | undefined {
  return BY_ID.get(id as VatRateId);
}

/** By tag 1199 code, as a document stores it. */
export function vatRateByCode(code: number): VatRate | undefined {
  return BY_CODE.get(code);
}

/** By Sberbank `tax.taxType`; undefined for unknown and obsolete (SBER_OBSOLETE_TAX_TYPES) codes. */
export function vatRateBySberTaxType(taxType: number): VatRate | undefined {
  return BY_SBER.get(taxType);
}

/** VAT contained in a VAT-inclusive amount, rounded half up to the kopeck, in integers only. */
export function vatOf(rate: VatRate, amountKopecks: number): number {
  const num = BigInt(amountKopecks) * rate.numerator * 2n + rate.denominator;
  return Number(num / (2n * rate.denominator));
}

export type RateUse = { readonly ok: true; readonly warning?: string } | { readonly ok: false; readonly message: string };

/**
 * What a rate's date is the date of: the document's own, or for a correction receipt the
 * corrected settlement's (1178): "the rate follows the date of the underlying operation, not
 * the receipt's date" (fiscal-spec §7.2).
 */
export type RateDateOf = 'document' | 'corrected settlement';

/**
 * May the rate be used on an operation dated `localSeconds` (register-local seconds, as FFD
 * time fields)? Before `validFrom`: refused. From `legacyFrom` on: accepted with a warning.
 */
export function rateUseAt(rate: VatRate, localSeconds: number, of: RateDateOf = 'document'): RateUse {
  const day = new Date(localSeconds * 1000).toISOString().slice(0, 10);
  if (rate.validFrom !== undefined && day < rate.validFrom) {
    return { ok: false, message: `${rate.label} (${rate.id}) exists from ${ruDate(rate.validFrom)}; this ${of} is dated ${ruDate(day)}` };
  }
  if (rate.legacyFrom !== undefined && day >= rate.legacyFrom) {
    return {
      ok: true,
      warning: `${rate.label} (${rate.id}) on a ${of} dated ${ruDate(day)}: since ${ruDate(rate.legacyFrom)} legal only for operations made before that date (a refund or correction of an earlier sale, an earlier prepayment); otherwise use ${rate.successor ?? 'the current rate'}`,
    };
  }
  return { ok: true };
}

function ruDate(iso: string): string {
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
}
