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
import { CALCULATION_SIGN, MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, PAYMENT_TYPES, TAX_SYSTEMS, TAX_SYSTEM_LABELS, codeFor } from './receipt-codes.ts';
import { FD_TYPE } from './tag-table.ts';
import type { TlvNode } from './tlv-codec.ts';
import { rateUseAt, vatRate, VAT_RATES, type RateDateOf } from './vat-rates.ts';
import { itemVat, vatTotals } from './vat-totals.ts';
import { personTags, sellerTags, type Problem } from './common-tags.ts';
import { agentDataTags, agentType, itemAgentTags } from './agent-tags.ts';

export { vatTotals } from './vat-totals.ts';

/** What the pipeline hands to the FN: the 07h payload and the parameters of 16h. */
export interface BuiltDocument {
  readonly fdType: number;
  /** 16h operation type = 1054 (1..4). */
  readonly operationType: number;
  readonly totalKopecks: number;
  readonly tlv: readonly TlvNode[];
}

/**
 * `at`: the document's date (register-local seconds, as 1012). When given, a rate used
 * before the day it exists is refused (fiscal-spec §7.2).
 */
export function buildReceipt(receipt: Receipt, ffd: FfdVersion, at?: number): BuiltDocument {
  const problems: Problem[] = [];
  const items = receipt.items.map((item, i) => buildItem(item, ffd, `items[${i}]`, problems, at === undefined ? undefined : { at, of: 'document' }, receipt));
  if (receipt.items.length === 0) problems.push({ path: 'items', message: 'a receipt needs at least one item' });
  checkItemsAddUp(receipt, problems);
  const body = [...receiptCommon(receipt, ffd, problems), ...items];
  if (problems.length > 0) throw new DocumentInvalid(problems);
  return { fdType: FD_TYPE.receipt, operationType: CALCULATION_SIGN[receipt.operation], totalKopecks: receipt.totalKopecks, tlv: body };
}

/**
 * FFD 1.2 correction receipts carry items like a receipt; FFD 1.05 ones carry only the
 * totals, so the items serve to compute the VAT totals and are not sent. With `at`, the
 * items' VAT rates are judged by the date of the corrected settlement (1178), which may not
 * be after the correction's own date (fiscal-spec §7.2).
 */
export function buildCorrectionReceipt(receipt: CorrectionReceipt, ffd: FfdVersion, at?: number): BuiltDocument {
  const problems: Problem[] = [];
  const c = receipt.correction;
  const items = receipt.items.map((item, i) => buildItem(item, ffd, `items[${i}]`, problems, at === undefined ? undefined : { at: c.baseDate, of: 'corrected settlement' }, receipt));
  checkItemsAddUp(receipt, problems);
  if (at !== undefined && c.baseDate > at) problems.push({ path: 'correction.baseDate', message: 'the corrected settlement (1178) is dated after the correction receipt itself' });
  // FFD 1.05 names the basis document in every correction (1179, mandatory in 1174).
  if (ffd === '1.05' && !c.baseNumber) problems.push({ path: 'correction.baseNumber', message: 'an FFD 1.05 correction names its basis document (1179)' });
  // FFD 1.05 corrects only sales and purchases (1054 = 1, 3); refund corrections are FFD 1.2 (fiscal-spec §7.4).
  if (ffd === '1.05' && !CORRECTABLE_IN_105.includes(receipt.operation)) {
    problems.push({ path: 'operation', message: `a correction of ${receipt.operation} (1054 = ${CALCULATION_SIGN[receipt.operation]}) exists from FFD 1.2; this register works in FFD 1.05` });
  }
  // 1177 exists in FFD 1.05 only (tag-table.ts): a name the document cannot carry is refused, never dropped.
  if (ffd === '1.2' && c.baseName !== undefined) problems.push({ path: 'correction.baseName', message: 'the correction basis name (1177) does not exist in FFD 1.2' });
  // Tags are written only with a value: an empty 1177 or 1179 is left out (issue 10 §2).
  const basis: TlvNode[] = [
    ...(ffd === '1.05' && c.baseName ? [{ tag: 1177, value: c.baseName }] : []),
    { tag: 1178, value: c.baseDate },
    ...(c.baseNumber ? [{ tag: 1179, value: c.baseNumber }] : []),
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

const CORRECTABLE_IN_105: readonly string[] = ['sell', 'buy'];

function receiptCommon(receipt: Receipt, ffd: FfdVersion, problems: Problem[]): TlvNode[] {
  const nodes: TlvNode[] = [{ tag: 1055, value: TAX_SYSTEMS[receipt.taxSystem] }];
  // The rule for a total of 0 (issue 10 §2): refused, as fiscal devices do by default. A
  // receipt records a settlement; a zero-priced item rides only on a paid receipt.
  if (receipt.totalKopecks === 0 && receipt.items.length > 0) problems.push({ path: 'total', message: 'a receipt whose total is 0 records no settlement and is not formed; a zero-priced item goes on a paid receipt' });
  let paid = 0;
  // All five payment sums are sent, 0 included: FFD 1.2 receipts require them (fiscal-spec §7.4);
  // here 0 is the value, not the absence of one.
  for (const p of PAYMENT_TYPES) {
    const sum = receipt.payments[p.id] ?? 0;
    paid += sum;
    nodes.push({ tag: p.tag, value: sum });
  }
  if (paid !== receipt.totalKopecks) problems.push({ path: 'payments', message: `payments add up to ${paid} kopecks, the total is ${receipt.totalKopecks}` });
  nodes.push(...vatTotals(receipt.items));
  nodes.push(...internetTags(receipt, problems), ...cashlessTags(receipt, problems));
  nodes.push(...receiptAgentTags(receipt, ffd, problems));
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

/** `rated`: the date the item's VAT rate is judged by (rateUseAt); none, no such check. */
function buildItem(item: ReceiptItem, ffd: FfdVersion, path: string, problems: Problem[], rated: { readonly at: number; readonly of: RateDateOf } | undefined, receipt: Receipt): TlvNode {
  const rate = vatRate(item.vat);
  const use = rate && rated ? rateUseAt(rate, rated.at, rated.of) : undefined;
  if (use && !use.ok) problems.push({ path: `${path}.vat`, message: use.message });
  // Only the seller's own VAT is bound to its tax system (1055): a purchase (1054 = 3, 4) and an
  // item sold as agent carry the VAT of the other party, who may be on УСН.
  const ownSale = (receipt.operation === 'sell' || receipt.operation === 'sell_refund') && !item.agent && !receipt.agent;
  if (ownSale && rate?.onlyUnder && !rate.onlyUnder.includes(receipt.taxSystem)) {
    problems.push({ path: `${path}.vat`, message: `${rate.label} (${rate.id}) is a rate of the simplified tax system (НК РФ art. 164 p. 8); this receipt is under ${TAX_SYSTEM_LABELS[receipt.taxSystem]} (${receipt.taxSystem})` });
  }
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
    // The item's own VAT, 0 included: an item-level fact (a zero-priced gift at 20 % has 0 VAT);
    // only receipt-level totals are left out at 0 (vat-totals.ts).
    if (!rate.totalIsItemSum) nodes.push({ tag: 1200, value: itemVat(item, rate) });
  }
  if (method) nodes.push({ tag: 1214, value: method.code });
  if (object) nodes.push({ tag: 1212, value: object.code });
  if (measure) nodes.push(ffd === '1.2' ? { tag: 2108, value: measure.code } : { tag: 1197, value: measure.label });
  // An item sold as agent names its supplier's INN, whether the sign is its own (1222) or the
  // receipt's (1057): FNS letter АБ-4-20/19338@ of 25.11.2020 (SOURCES.md "Agent data").
  if ((item.agent || receipt.agent) && !item.supplier?.inn) problems.push({ path: `${path}.supplier.inn`, message: 'an item sold as agent names its supplier INN (1226)' });
  // And the other way round: 1226 goes with an agent sign, the item's or the receipt's (fn-protocol §4.3.3).
  if (!item.agent && !receipt.agent && item.supplier?.inn) problems.push({ path: `${path}.supplier.inn`, message: "a supplier INN (1226) goes with an agent sign (1222): agent_info on the item or on the receipt" });
  if (item.agent && !agentType(item.agent.type)) problems.push({ path: `${path}.agent.type`, message: `agent type "${item.agent.type}" is unknown` });
  nodes.push(...itemAgentTags(item.agent, item.supplier, receipt.agent ? agentType(receipt.agent.type)?.bit : undefined));
  return { tag: 1059, value: nodes };
}

/**
 * 1057 on the receipt; in FFD 1.05 also the agent data and supplier phones on the receipt
 * itself (ММВ-7-20/229@ Table 20). FFD 1.2 carries them on the items only (1223, 1224;
 * SOURCES.md): a receipt-level detail is refused there, never dropped.
 */
function receiptAgentTags(receipt: Receipt, ffd: FfdVersion, problems: Problem[]): TlvNode[] {
  const agent = receipt.agent;
  const phones = receipt.supplierPhones ?? [];
  if (!agent) {
    if (phones.length > 0) problems.push({ path: 'supplierPhones', message: 'supplier phones (1171) go with an agent sign (1057)' });
    return [];
  }
  const sign = agentType(agent.type);
  if (!sign) problems.push({ path: 'agent.type', message: `agent type "${agent.type}" is unknown` });
  const data = agent.data ? agentDataTags(agent.data) : [];
  if (ffd === '1.2' && (data.length > 0 || phones.length > 0)) {
    problems.push({ path: 'agent.data', message: 'FFD 1.2 carries agent and supplier data on the items (1223, 1224), not on the receipt' });
  }
  return [{ tag: 1057, value: sign?.bit ?? 0 }, ...data, ...phones.map((value) => ({ tag: 1171, value }))];
}

function checkItemsAddUp(receipt: Receipt, problems: Problem[]): void {
  if (receipt.items.length === 0) return;
  const sum = receipt.items.reduce((acc, i) => acc + i.sumKopecks, 0);
  if (sum !== receipt.totalKopecks) problems.push({ path: 'total', message: `items add up to ${sum} kopecks, the total is ${receipt.totalKopecks}` });
}

/**
 * 1125 (settlement on the internet) and its companions since 01.09.2025 (fiscal-spec §7.3):
 * the place of settlement 1187 is the web site, and the buyer gets the receipt at 1008.
 */
function internetTags(receipt: Receipt, problems: Problem[]): TlvNode[] {
  if (!receipt.internet) return [];
  if (!receipt.buyer?.contact) problems.push({ path: 'buyer.contact', message: 'a settlement on the internet (1125) needs the buyer phone or e-mail (1008)' });
  if (!receipt.seller.place || !isWebSite(receipt.seller.place)) {
    problems.push({ path: 'seller.place', message: `a settlement on the internet (1125) needs the web site as the place of settlement (1187), not ${JSON.stringify(receipt.seller.place ?? '')}` });
  }
  return [{ tag: 1125, value: 1 }];
}

/** A host name with a dot, optionally with a scheme and a path: "shop.example.ru", "https://shop.example.ru/". */
export function isWebSite(text: string): boolean {
  return /^(https?:\/\/)?[a-z0-9\u0430-\u044f\u0451-]+(\.[a-z0-9\u0430-\u044f\u0451-]+)+(\/\S*)?$/i.test(text.trim());
}

/** 1234 {1235 {1082, 1236, 1237, 1238}…} (fiscal-spec §7.3); their sums stay within the cashless total 1081. */
function cashlessTags(receipt: Receipt, problems: Problem[]): TlvNode[] {
  const list = receipt.cashless ?? [];
  if (list.length === 0) return [];
  const total = list.reduce((acc, c) => acc + c.sumKopecks, 0);
  const electronic = receipt.payments.electronic ?? 0;
  if (total > electronic) problems.push({ path: 'cashless', message: `the cashless payment details add up to ${total} kopecks, more than the cashless payment (1081) of ${electronic}` });
  return [
    {
      tag: 1234,
      value: list.map((c) => ({
        tag: 1235,
        value: [{ tag: 1082, value: c.sumKopecks }, ...(c.method !== undefined ? [{ tag: 1236, value: c.method }] : []), { tag: 1237, value: c.ids }, ...(c.info ? [{ tag: 1238, value: c.info }] : [])],
      })),
    },
  ];
}
