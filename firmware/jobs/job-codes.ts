/**
 * Codes a job names, looked up in the one table of each (DESIGN.md §3 rule 10;
 * receipt-codes.ts, vat-rates.ts) for the register's FFD version. A code the table lacks,
 * or has only for the other FFD version, is a problem that says which codes would do
 * (issue 3 §2 "codes unknown for the FFD version").
 */
import type { FfdVersion } from '../fiscal/ffd-version.ts';
import { PAYMENT_METHODS, PAYMENT_TYPES, TAX_SYSTEMS, codeFor, entryByCode, type MEASURES, type PaymentTypeId, type TaxSystem } from '../fiscal/receipt-codes.ts';
import { rateUseAt, SBER_OBSOLETE_TAX_TYPES, vatRate, vatRateBySberTaxType, VAT_RATES, type RateDateOf, type VatRate } from '../fiscal/vat-rates.ts';
import type { Problem } from './job.ts';
import type { Parsed } from './job-amounts.ts';

export type Coded = (typeof MEASURES)[number];
type Table = readonly Coded[];

/** An ATOL `vat.type` → its rate (vat-rates.ts). No alias, no guess: an unknown name is a problem. */
export function lookupVat(id: string): Parsed<VatRate> {
  const rate = vatRate(id);
  if (rate) return { ok: true, value: rate };
  return { ok: false, message: `VAT rate "${id}" is unknown; one of ${VAT_RATES.map((r) => r.id).join(', ')}` };
}

/**
 * A Sberbank `tax.taxType` → its rate, by the Sberbank column of the one table. The 18 % codes
 * are refused with the codes to use instead, never remapped (fiscal-spec §7.1).
 */
export function lookupSberTaxType(taxType: number): Parsed<VatRate> {
  const rate = vatRateBySberTaxType(taxType);
  if (rate) return { ok: true, value: rate };
  const codeOf = (id: string): string => `${VAT_RATES.find((r) => r.id === id)?.sberTaxType ?? '?'} (${vatRate(id)?.label ?? id})`;
  const obsolete = SBER_OBSOLETE_TAX_TYPES[taxType];
  if (obsolete) {
    return {
      ok: false,
      message: `taxType ${taxType} (${obsolete.was}) is obsolete since 01.01.2019 and is not remapped; use ${obsolete.use.map(codeOf).join(' or ')} (for an operation made before 2026 the older rate)`,
    };
  }
  return { ok: false, message: `taxType ${taxType} is unknown; one of ${VAT_RATES.map((r) => `${r.sberTaxType} ${r.id}`).join(', ')}` };
}

/**
 * The rate on a document of this date (fiscal-spec §7.2): a rate before its day is a problem;
 * a rate kept for earlier operations (20 % in 2026) adds a warning to the job's results.
 * `at` undefined: the date is not known here, the builder checks it when the document is formed.
 */
export function checkRateDate(rate: VatRate, at: number | undefined, path: string, problems: Problem[], warnings: Set<string>, of: RateDateOf = 'document'): void {
  if (at === undefined) return;
  const use = rateUseAt(rate, at, of);
  if (!use.ok) problems.push({ path, message: use.message });
  else if (use.warning) warnings.add(use.warning);
}

/**
 * A prepayment or advance at a plain rate: the tax code takes VAT on it at the calculated rate
 * (НК РФ art. 164 p. 4: 20/120, 22/122, …). A warning, not a refusal: no format-logic rule that
 * refuses it was found (SOURCES.md), and a rate is never remapped (fiscal-spec §7.1).
 */
export function checkAdvanceRate(rate: VatRate, paymentMethod: string, path: string, warnings: Set<string>): void {
  if (!PAYMENT_METHODS.find((m) => m.id === paymentMethod)?.inAdvance || rate.calculated === undefined) return;
  warnings.add(`${path}: ${rate.label} (${rate.id}) on a ${paymentMethod}: VAT on money taken in advance is at the calculated rate, ${rate.calculated} (НК РФ art. 164 p. 4)`);
}

/**
 * Payment objects the contract describes (ATOL Online v5, 1212 codes 31 and 33: goods with a
 * marking code) that this firmware cannot form yet: marked goods need the B1h–B7h exchange with
 * the FN (fiscal-spec §1.6). A job naming them is right, the register is not: 'unsupported'.
 */
const UNSUPPORTED_PAYMENT_OBJECTS: ReadonlyMap<string | number, string> = new Map<string | number, string>([
  [31, 'excise_with_marking'],
  ['excise_with_marking', 'excise_with_marking'],
  [33, 'commodity_with_marking'],
  ['commodity_with_marking', 'commodity_with_marking'],
]);

/** A problem of kind 'unsupported' for a payment object this firmware cannot form, else undefined. */
export function unsupportedPaymentObject(value: string | number, path: string): Problem | undefined {
  const id = UNSUPPORTED_PAYMENT_OBJECTS.get(value);
  if (id === undefined) return undefined;
  return { path, kind: 'unsupported', message: `payment object ${JSON.stringify(value)} (${id}, goods with a marking code) is not supported by this register's firmware yet: update the register` };
}

/** By the string id (ATOL), the numeric FFD code, or (byLabel) the printed unit label. */
export function lookupCode(table: Table, what: string, value: string | number, ffd: FfdVersion, byLabel = false): Parsed<Coded> {
  const entry = typeof value === 'number' ? entryByCode(table, value, ffd) : (table.find((e) => e.id === value) ?? (byLabel ? findByLabel(table, value) : undefined));
  const shown = JSON.stringify(value);
  if (!entry) return { ok: false, message: `${what} ${shown} is unknown; for FFD ${ffd} one of ${known(table, ffd, byLabel)}` };
  if (!codeFor(table, entry.id, ffd)) return { ok: false, message: `${what} ${shown} (${entry.id}, code ${entry.code}) does not exist in FFD ${ffd}` };
  return { ok: true, value: entry };
}

function findByLabel(table: Table, label: string): Coded | undefined {
  const wanted = label.trim().toLowerCase();
  return table.find((e) => e.label.toLowerCase() === wanted);
}

function known(table: Table, ffd: FfdVersion, byLabel: boolean): string {
  return table
    .filter((e) => e.ffd.includes(ffd))
    .map((e) => `${e.id} (${e.code}${byLabel ? `, "${e.label}"` : ''})`)
    .join(', ');
}

/** ATOL `sno` → the tax system, if the register is registered for it (1062). */
export function lookupTaxSystem(sno: string, registered: readonly string[]): Parsed<TaxSystem> {
  if (!Object.hasOwn(TAX_SYSTEMS, sno)) return { ok: false, message: `tax system "${sno}" is unknown; one of ${Object.keys(TAX_SYSTEMS).join(', ')}` };
  if (!registered.includes(sno)) return { ok: false, message: `the register is not registered for tax system "${sno}" (registered: ${registered.join(', ')})` };
  return { ok: true, value: sno as TaxSystem };
}

/** ATOL payment `type` → the payment-type id whose total tag it adds to. */
export function lookupPaymentType(type: number): Parsed<PaymentTypeId> {
  const entry = PAYMENT_TYPES.find((p) => p.type === type);
  if (!entry) return { ok: false, message: `payment type ${type} is unknown; one of ${PAYMENT_TYPES.map((p) => `${p.type} ${p.id}`).join(', ')}` };
  return { ok: true, value: entry.id };
}
