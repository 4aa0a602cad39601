/**
 * Receipt and correction receipt → the TLV the register sends with 07h (fn-protocol §4.3.1,
 * §4.6; fiscal-spec §2). Only content tags: the FN forms date/time, numbers, INN, RNM,
 * FN number, FPD, the total (1020) and the calculation sign (1054) from 16h itself
 * (fiscal-spec §1.6 "Important for the runtime"). Pure.
 *
 * The builder refuses a receipt whose numbers do not add up (DocumentInvalid with every
 * problem and its path): bad input never reaches the FN (DESIGN.md §1 invariant 4).
 */
import { DocumentInvalid } from '../core/kassa-error.ts';
import type { FfdVersion } from './ffd-version.ts';
import type { CorrectionReceipt, Receipt, ReceiptItem } from './receipt.ts';
import { CALCULATION_SIGN, MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, PAYMENT_TYPES, TAX_SYSTEMS, codeFor } from './receipt-codes.ts';
import { FD_TYPE } from './tag-table.ts';
import type { TlvNode } from './tlv-codec.ts';
import { vatOf, vatRate, VAT_RATES } from './vat-rates.ts';
import { personTags, sellerTags, type Problem } from './common-tags.ts';

/** What the pipeline hands to the FN: the 07h payload and the parameters of 16h. */
export interface BuiltDocument {
  readonly fdType: number;
  /** 16h operation type = 1054 (1..4). */
  readonly operationType: number;
  readonly totalKopecks: number;
  readonly tlv: readonly TlvNode[];
}

export function buildReceipt(receipt: Receipt, ffd: FfdVersion): BuiltDocument {
  const problems: Problem[] = [];
  const items = receipt.items.map((item, i) => buildItem(item, ffd, `items[${i}]`, problems));
  if (receipt.items.length === 0) problems.push({ path: 'items', message: 'a receipt needs at least one item' });
  checkItemsAddUp(receipt, problems);
  const body = [...receiptCommon(receipt, ffd, problems), ...items];
  if (problems.length > 0) throw new DocumentInvalid(problems);
  return { fdType: FD_TYPE.receipt, operationType: CALCULATION_SIGN[receipt.operation], totalKopecks: receipt.totalKopecks, tlv: body };
}

/**
 * FFD 1.2 correction receipts carry items like a receipt; FFD 1.05 ones carry only the
 * totals, so the items serve to compute the VAT totals and are not sent.
 */
export function buildCorrectionReceipt(receipt: CorrectionReceipt, ffd: FfdVersion): BuiltDocument {
  const problems: Problem[] = [];
  const items = receipt.items.map((item, i) => buildItem(item, ffd, `items[${i}]`, problems));
  checkItemsAddUp(receipt, problems);
  const c = receipt.correction;
  const basis: TlvNode[] = [
    ...(ffd === '1.05' ? [{ tag: 1177, value: c.baseName ?? '' }] : []),
    { tag: 1178, value: c.baseDate },
    { tag: 1179, value: c.baseNumber },
  ];
  const body: TlvNode[] = [
    { tag: 1173, value: c.type === 'self' ? 0 : 1 },
    { tag: 1174, value: basis },
    ...receiptCommon(receipt, ffd, problems),
    ...(ffd === '1.2' ? items : []),
  ];
  if (problems.length > 0) throw new DocumentInvalid(problems);
  return { fdType: FD_TYPE.correctionReceipt, operationType: CALCULATION_SIGN[receipt.operation], totalKopecks: receipt.totalKopecks, tlv: body };
}

function receiptCommon(receipt: Receipt, ffd: FfdVersion, problems: Problem[]): TlvNode[] {
  const nodes: TlvNode[] = [{ tag: 1055, value: TAX_SYSTEMS[receipt.taxSystem] }];
  let paid = 0;
  for (const p of PAYMENT_TYPES) {
    const sum = receipt.payments[p.id] ?? 0;
    paid += sum;
    nodes.push({ tag: p.tag, value: sum });
  }
  if (paid !== receipt.totalKopecks) problems.push({ path: 'payments', message: `payments add up to ${paid} kopecks, the total is ${receipt.totalKopecks}` });
  nodes.push(...vatTotals(receipt.items));
  nodes.push(...sellerTags(receipt.seller), ...personTags(receipt.cashier));
  const buyer = receipt.buyer;
  if (buyer?.contact) nodes.push({ tag: 1008, value: buyer.contact });
  if (buyer && (buyer.name || buyer.inn)) {
    const info: TlvNode[] = [...(buyer.name ? [{ tag: 1227, value: buyer.name }] : []), ...(buyer.inn ? [{ tag: 1228, value: buyer.inn }] : [])];
    // FFD 1.2 groups buyer details in 1256; FFD 1.05 carries them at the top level.
    nodes.push(...(ffd === '1.2' ? [{ tag: 1256, value: info }] : info));
  }
  return nodes;
}

function buildItem(item: ReceiptItem, ffd: FfdVersion, path: string, problems: Problem[]): TlvNode {
  const rate = vatRate(item.vat);
  const method = codeFor(PAYMENT_METHODS, item.paymentMethod, ffd);
  const object = codeFor(PAYMENT_OBJECTS, item.paymentObject, ffd);
  const measure = codeFor(MEASURES, item.measure, ffd);
  if (!rate) problems.push({ path: `${path}.vat`, message: `VAT rate "${item.vat}" is not one of ${VAT_RATES.map((r) => r.id).join(', ')}` });
  if (!method) problems.push({ path: `${path}.payment_method`, message: `payment method "${item.paymentMethod}" does not exist in FFD ${ffd}` });
  if (!object) problems.push({ path: `${path}.payment_object`, message: `payment object "${item.paymentObject}" does not exist in FFD ${ffd}` });
  if (!measure) problems.push({ path: `${path}.measure`, message: `measure "${item.measure}" does not exist in FFD ${ffd}` });
  const nodes: TlvNode[] = [
    { tag: 1030, value: item.name },
    { tag: 1079, value: item.priceKopecks },
    { tag: 1023, value: item.quantity },
    { tag: 1043, value: item.sumKopecks },
  ];
  if (rate) {
    nodes.push({ tag: 1199, value: rate.code1199 });
    if (!rate.totalIsItemSum) nodes.push({ tag: 1200, value: item.vatSumKopecks ?? vatOf(rate, item.sumKopecks) });
  }
  if (method) nodes.push({ tag: 1214, value: method.code });
  if (object) nodes.push({ tag: 1212, value: object.code });
  if (measure) nodes.push(ffd === '1.2' ? { tag: 2108, value: measure.code } : { tag: 1197, value: measure.label });
  return { tag: 1059, value: nodes };
}

function checkItemsAddUp(receipt: Receipt, problems: Problem[]): void {
  if (receipt.items.length === 0) return;
  const sum = receipt.items.reduce((acc, i) => acc + i.sumKopecks, 0);
  if (sum !== receipt.totalKopecks) problems.push({ path: 'total', message: `items add up to ${sum} kopecks, the total is ${receipt.totalKopecks}` });
}

/** Receipt-level VAT totals (1102–1107), one per rate used, in the order of the VAT table. */
export function vatTotals(items: readonly ReceiptItem[]): TlvNode[] {
  const totals = new Map<number, number>();
  for (const item of items) {
    const rate = vatRate(item.vat);
    if (!rate) continue;
    const add = rate.totalIsItemSum ? item.sumKopecks : (item.vatSumKopecks ?? vatOf(rate, item.sumKopecks));
    totals.set(rate.totalTag, (totals.get(rate.totalTag) ?? 0) + add);
  }
  return VAT_RATES.filter((r) => totals.has(r.totalTag)).map((r) => ({ tag: r.totalTag, value: totals.get(r.totalTag) ?? 0 }));
}
