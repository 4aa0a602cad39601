/**
 * Money and quantities of a job, exactly (DESIGN.md §3 rule 9). ATOL sends rubles as JSON
 * numbers; they become integer kopecks through their decimal digits, never through
 * floating-point arithmetic: String(n) is the shortest decimal that reads back as n (ECMA-262
 * Number::toString), so 100.57 gives "100.57" → 10057, while 0.1 + 0.2 gives
 * "0.30000000000000004" and is refused as more than 2 decimals. Products are BigInt.
 */
import { vatOf, type VatRate } from '../fiscal/vat-rates.ts';
import type { Problem } from './job.ts';
import type { SberDiscount } from './job-wire.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** "123" / "123.45"; exponent forms (1e21, 1e-7) and signs do not match. */
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function digitsOf(n: number): { int: string; frac: string } | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const m = PLAIN_DECIMAL.exec(String(n));
  return m ? { int: m[1] ?? '0', frac: m[2] ?? '' } : undefined;
}

/** Rubles (≤ 2 decimals) → integer kopecks. */
export function rublesToKopecks(rubles: number): Parsed<number> {
  const d = digitsOf(rubles);
  if (!d) return { ok: false, message: `${String(rubles)} is not a plain non-negative amount of rubles` };
  if (d.frac.length > 2) return { ok: false, message: `${String(rubles)} has more than 2 decimals: money is whole kopecks` };
  const kopecks = Number(d.int + d.frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(kopecks)) return { ok: false, message: `${String(rubles)} is too large` };
  return { ok: true, value: kopecks };
}

/** A quantity (≤ 3 decimals) → its exact decimal string for FVLN 1023 ("2", "0.25"). */
export function exactQuantity(quantity: number): Parsed<string> {
  const d = digitsOf(quantity);
  if (!d) return { ok: false, message: `${String(quantity)} is not a plain non-negative quantity` };
  if (d.frac.length > 3) return { ok: false, message: `${String(quantity)} has more than 3 decimals` };
  if (/^0+$/.test(d.int + d.frac)) return { ok: false, message: 'must be more than 0' };
  return { ok: true, value: d.frac ? `${d.int}.${d.frac}` : d.int };
}

/** Pushes the problem of a parse, returns the value or undefined. */
export function take<T>(parsed: Parsed<T>, path: string, problems: Problem[]): T | undefined {
  if (parsed.ok) return parsed.value;
  problems.push({ path, message: parsed.message });
  return undefined;
}

/** How a message shows money: in the unit the job's form uses (ATOL rubles, Sberbank kopecks). */
export type MoneyUnit = 'rubles' | 'kopecks';

/** `value / 10^decimals` as decimal text, trailing zeros trimmed but rubles keep 2 decimals. */
function scaledText(value: bigint, decimals: number, minDecimals: number): string {
  const s = value.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals);
  let frac = s.slice(s.length - decimals).replace(/0+$/, '');
  frac = frac.padEnd(minDecimals, '0');
  return frac ? `${int}.${frac}` : int;
}

export function moneyText(kopecks: number | bigint, unit: MoneyUnit, decimals = 0): string {
  return unit === 'rubles' ? scaledText(BigInt(kopecks), decimals + 2, 2) : scaledText(BigInt(kopecks), decimals, 0);
}

/**
 * An item's sum may differ from price × quantity by rounding only: at most 1 kopeck
 * (ATOL Online's tolerance; the FN itself does not check it, the tax office does).
 * price × quantity is computed exactly: kopecks × the quantity's digits, over 10^decimals.
 */
export function checkItemSum(priceKopecks: number, quantity: string, sumKopecks: number, path: string, problems: Problem[], unit: MoneyUnit): void {
  const [int = '0', frac = ''] = quantity.split('.');
  const scale = 10n ** BigInt(frac.length);
  const product = BigInt(priceKopecks) * BigInt(int + frac);
  let diff = BigInt(sumKopecks) * scale - product;
  if (diff < 0n) diff = -diff;
  if (diff > scale) {
    const expected = moneyText(product, unit, frac.length);
    problems.push({ path, message: `${moneyText(sumKopecks, unit)} is not price × quantity = ${expected} (1 kopeck of rounding allowed)` });
  }
}

/**
 * ATOL Online's item rule: "if sum is less or more than price × quantity, the difference is a
 * discount or a markup on the item; the price is then recalculated to spread it evenly over
 * the units" (ATOL Online API v4/v5, `items[].sum`; quoted by it-quasar/atol-online
 * ItemV5::setSum). `sum` (1043) is what the buyer pays and stays as given; the unit price
 * (1079) becomes sum / quantity rounded half up to the kopeck. When price × quantity is
 * already within 1 kopeck of the sum the given price is kept (plain rounding, no discount).
 * The same rule serves Sberbank items with a `discount` (sberbank-request.ts).
 */
export function discountedPrice(priceKopecks: number, quantity: string, sumKopecks: number): number {
  const [int = '0', frac = ''] = quantity.split('.');
  const scale = 10n ** BigInt(frac.length);
  const units = BigInt(int + frac); // quantity × scale
  let diff = BigInt(sumKopecks) * scale - BigInt(priceKopecks) * units;
  if (diff < 0n) diff = -diff;
  if (diff <= scale) return priceKopecks;
  return Number(divideHalfUp(BigInt(sumKopecks) * scale, units));
}

/**
 * A Sberbank item with a `discount`: itemAmount must be itemPrice × quantity less the
 * discount (an amount in kopecks, or a percentage of itemPrice × quantity), within 1 kopeck.
 */
export function checkDiscountedAmount(priceKopecks: number, quantity: string, discount: SberDiscount, amountKopecks: number, path: string, problems: Problem[]): void {
  const [int = '0', frac = ''] = quantity.split('.');
  const scale = 10n ** BigInt(frac.length);
  const gross = BigInt(priceKopecks) * BigInt(int + frac); // kopecks × scale
  const value = discountValue(discount, path, problems);
  if (value === undefined) return;
  // Exact, in kopecks × denominator: summa takes D kopecks off, percent keeps (100 − p) %.
  const hundred = 100n * 10n ** value.decimals;
  const [net, denominator] = discount.discountType === 'summa' ? [gross - value.units * scale, scale] : [gross * (hundred - value.units), scale * hundred];
  let diff = BigInt(amountKopecks) * denominator - net;
  if (diff < 0n) diff = -diff;
  if (diff > denominator) {
    const expected = moneyText(divideHalfUp(net < 0n ? 0n : net, denominator), 'kopecks');
    problems.push({ path: `${path}.itemAmount`, message: `${amountKopecks} is not itemPrice × quantity − discount = ${expected} (discount ${discount.discountType} ${discount.discountValue}; 1 kopeck of rounding allowed)` });
  }
}

/** discountValue as an exact decimal: units / 10^decimals. Summa must be whole kopecks. */
function discountValue(d: SberDiscount, path: string, problems: Problem[]): { units: bigint; decimals: bigint } | undefined {
  const m = PLAIN_DECIMAL.exec(String(d.discountValue));
  const frac = m?.[2] ?? '';
  if (!m || (d.discountType === 'summa' && frac.length > 0) || frac.length > 4 || (d.discountType === 'percent' && d.discountValue > 100)) {
    problems.push({ path: `${path}.discount.discountValue`, message: d.discountType === 'summa' ? `${String(d.discountValue)} is not a whole number of kopecks` : `${String(d.discountValue)} is not a percentage from 0 to 100 with at most 4 decimals` });
    return undefined;
  }
  return { units: BigInt((m[1] ?? '0') + frac), decimals: BigInt(frac.length) };
}

/** a / b rounded half up, both non-negative, b > 0. */
function divideHalfUp(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/**
 * An item's own VAT sum, when the job gives one, must be the VAT of its sum at its rate
 * within 1 kopeck of rounding; for 0 % and no VAT it must be 0.
 */
export function checkItemVat(rate: VatRate, sumKopecks: number, vatKopecks: number, path: string, problems: Problem[], unit: MoneyUnit): void {
  const expected = vatOf(rate, sumKopecks);
  const tolerance = rate.numerator === 0n ? 0 : 1;
  if (Math.abs(vatKopecks - expected) > tolerance) {
    const m = (k: number): string => moneyText(k, unit);
    problems.push({ path, message: `${m(vatKopecks)} is not the ${rate.label} of ${m(sumKopecks)}, which is ${m(expected)}${tolerance ? ' (1 kopeck of rounding allowed)' : ''}` });
  }
}

/** Σ of integers, exact while below 2^53 (amounts are capped far below). */
export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
