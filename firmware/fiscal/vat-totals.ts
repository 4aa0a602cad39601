/**
 * A receipt's VAT totals (fiscal-spec §7.1), one rule for the document and for its paper:
 *   - rates 1–6 each have their tag (1102–1107);
 *   - rates 7–12 go into one STLV 1115 holding one 1119 {1199, 1120} per rate;
 *   - a total whose value is 0 is neither sent nor printed (OFDs report 1105 = 0 or
 *     1102 = 0 as format violations: issue 10 §2);
 *   - the one exception: when every total is inside 1115, the receipt carries 1104 = 0
 *     (fiscal-spec §7.1 [V1 + a real receipt]), which is not printed.
 * Pure.
 */
import type { Receipt, ReceiptItem } from './receipt.ts';
import type { TlvNode } from './tlv-codec.ts';
import { vatOf, vatRate, vatRateByCode, VAT_RATES, VAT_TOTALS_TAG, type VatRate } from './vat-rates.ts';

export interface RateTotal {
  readonly rate: VatRate;
  /** VAT in kopecks; for 0 % and no VAT the sum of their items (1104/1105). */
  readonly kopecks: number;
}

/** The item's own VAT (1200): given, or computed from its sum. */
export function itemVat(item: ReceiptItem, rate: VatRate): number {
  return item.vatSumKopecks ?? vatOf(rate, item.sumKopecks);
}

/** The non-zero total of each rate used, in the order of the VAT table. Unknown rates are skipped. */
export function rateTotals(items: readonly ReceiptItem[]): RateTotal[] {
  const sums = new Map<VatRate, number>();
  for (const item of items) {
    const rate = vatRate(item.vat);
    if (!rate) continue;
    const add = rate.totalIsItemSum ? item.sumKopecks : itemVat(item, rate);
    sums.set(rate, (sums.get(rate) ?? 0) + add);
  }
  return VAT_RATES.flatMap((rate) => {
    const kopecks = sums.get(rate) ?? 0;
    return kopecks > 0 ? [{ rate, kopecks }] : [];
  });
}

/** The totals as document tags: 1102–1107, then 1115; 1104 = 0 when 1115 holds them all. */
export function vatTotals(items: readonly ReceiptItem[]): TlvNode[] {
  return totalsToTlv(rateTotals(items));
}

export function totalsToTlv(totals: readonly RateTotal[]): TlvNode[] {
  const own: TlvNode[] = [];
  const grouped: TlvNode[] = [];
  for (const { rate, kopecks } of totals) {
    if (rate.totalTag !== undefined) own.push({ tag: rate.totalTag, value: kopecks });
    else grouped.push({ tag: VAT_TOTALS_TAG.entry, value: [{ tag: 1199, value: rate.code1199 }, { tag: VAT_TOTALS_TAG.sum, value: kopecks }] });
  }
  if (grouped.length === 0) return own;
  const zero1104 = own.length === 0 ? [{ tag: 1104, value: 0 }] : [];
  return [...own, ...zero1104, { tag: VAT_TOTALS_TAG.group, value: grouped }];
}

/**
 * The totals a receipt shows on paper: the ones its document stores (a copy from the FN
 * archive), else the ones the builder computes from the items. Zero totals are left out.
 */
export function printedTotals(receipt: Receipt): RateTotal[] {
  if (receipt.storedVatTotals === undefined && receipt.storedVatTotals1115 === undefined) return rateTotals(receipt.items);
  const out: RateTotal[] = [];
  for (const rate of VAT_RATES) {
    const kopecks = rate.totalTag !== undefined ? receipt.storedVatTotals?.[rate.totalTag] : receipt.storedVatTotals1115?.[rate.code1199];
    if (kopecks !== undefined && kopecks > 0) out.push({ rate, kopecks });
  }
  return out;
}

/** The 1115 group of a stored document → 1120 sums by 1199 code. */
export function totalsFrom1115(group: readonly TlvNode[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const entry of group) {
    if (entry.tag !== VAT_TOTALS_TAG.entry || !Array.isArray(entry.value)) continue;
    const inner = entry.value as readonly TlvNode[];
    const code = inner.find((n) => n.tag === 1199)?.value;
    const sum = inner.find((n) => n.tag === VAT_TOTALS_TAG.sum)?.value;
    if (typeof code === 'number' && typeof sum === 'number' && vatRateByCode(code)) out[code] = (out[code] ?? 0) + sum;
  }
  return out;
}
