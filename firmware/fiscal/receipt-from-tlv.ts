/**
 * The inverse of receipt-builder.ts: a receipt or correction receipt read back from the
 * FN archive (45h/46h, fn-protocol §4.4) as the register's own model, so a copy prints in
 * the receipt's own layout. Pure. Everything comes from the stored tags, not from the
 * current configuration: a copy shows what was fiscalized, even after a re-registration.
 * An FFD 1.05 correction receipt stores no items (receipt-builder.ts), so its copy has none.
 */
import { withoutUndefined } from '../core/defined.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { CashlessPayment, CorrectionReceipt, Receipt, ReceiptItem } from './receipt.ts';
import { CALCULATION_SIGN, entryByCode, itemFfd, MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, PAYMENT_TYPES, TAX_SYSTEMS, type Operation, type PaymentTypeId, type TaxSystem } from './receipt-codes.ts';
import type { TlvNode } from './tlv-codec.ts';
import { vatRateByCode, VAT_RATES, VAT_TOTALS_TAG } from './vat-rates.ts';
import { totalsFrom1115 } from './vat-totals.ts';
import { agentFromTlv, supplierFromTlv } from './agent-tags.ts';

/** The tags of one STLV level by number (first occurrence; 1059 is read with `all`). */
class Tags {
  constructor(private readonly nodes: readonly TlvNode[]) {}

  all(tag: number): Tags[] {
    return this.nodes.filter((n) => n.tag === tag && Array.isArray(n.value)).map((n) => new Tags(n.value as TlvNode[]));
  }

  one(tag: number): Tags | undefined {
    return this.all(tag)[0];
  }

  str(tag: number): string | undefined {
    const v = this.nodes.find((n) => n.tag === tag)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  num(tag: number): number | undefined {
    const v = this.nodes.find((n) => n.tag === tag)?.value;
    return typeof v === 'number' ? v : undefined;
  }
}

export function receiptFromTlv(nodes: readonly TlvNode[]): Receipt {
  const t = new Tags(nodes);
  const sign = t.num(1054);
  const operation = (Object.keys(CALCULATION_SIGN) as Operation[]).find((op) => CALCULATION_SIGN[op] === sign);
  const taxCode = t.num(1055);
  const taxSystem = (Object.keys(TAX_SYSTEMS) as TaxSystem[]).find((k) => TAX_SYSTEMS[k] === taxCode);
  // A receipt names one calculation sign and one tax system: anything else is not read as ПРИХОД / ОСН.
  if (operation === undefined) throw new KassaError('FN_PROTOCOL', `the archived receipt has calculation sign (1054) ${sign ?? 'none'}, not one of 1–4`);
  if (taxSystem === undefined) throw new KassaError('FN_PROTOCOL', `the archived receipt has tax system (1055) ${taxCode ?? 'none'}, not one system`);
  const payments: Partial<Record<PaymentTypeId, number>> = {};
  for (const p of PAYMENT_TYPES) {
    const sum = t.num(p.tag);
    if (sum) payments[p.id] = sum;
  }
  const buyerInfo = t.one(1256) ?? t; // FFD 1.2 groups 1227/1228 in 1256; FFD 1.05 keeps them on top
  const buyer = { contact: t.str(1008), name: buyerInfo.str(1227), inn: buyerInfo.str(1228) };
  const storedVatTotals: Record<number, number> = {};
  for (const rate of VAT_RATES) {
    const sum = rate.totalTag !== undefined ? t.num(rate.totalTag) : undefined;
    if (rate.totalTag !== undefined && sum !== undefined) storedVatTotals[rate.totalTag] = sum;
  }
  const group = nodes.find((n) => n.tag === VAT_TOTALS_TAG.group)?.value;
  const storedVatTotals1115 = Array.isArray(group) ? totalsFrom1115(group as readonly TlvNode[]) : undefined;
  const cashless = t.all(1234)[0]?.all(1235).map(cashlessFromTlv) ?? [];
  const cashierName = t.str(1021);
  const agent = agentFromTlv(nodes, 1057);
  const supplierPhones = nodes.flatMap((n) => (n.tag === 1171 && typeof n.value === 'string' ? [n.value] : []));
  const cashierInn = t.str(1203);
  return {
    operation,
    taxSystem,
    items: nodes.filter((n) => n.tag === 1059 && Array.isArray(n.value)).map((n) => itemFromTlv(new Tags(n.value as TlvNode[]), n.value as TlvNode[])),
    payments,
    totalKopecks: t.num(1020) ?? 0,
    seller: withoutUndefined({ name: t.str(1048), address: t.str(1009) ?? '', place: t.str(1187), email: t.str(1117), fnsSite: t.str(1060) }),
    ...(cashierName ? { cashier: withoutUndefined({ name: cashierName, inn: cashierInn }) } : {}),
    ...(buyer.contact || buyer.name || buyer.inn ? { buyer: withoutUndefined(buyer) } : {}),
    storedVatTotals,
    ...(storedVatTotals1115 ? { storedVatTotals1115 } : {}),
    ...(t.num(1125) === 1 ? { internet: true } : {}),
    ...(cashless.length > 0 ? { cashless } : {}),
    ...(agent ? { agent } : {}),
    ...(supplierPhones.length > 0 ? { supplierPhones } : {}),
  };
}

export function correctionReceiptFromTlv(nodes: readonly TlvNode[]): CorrectionReceipt {
  const t = new Tags(nodes);
  const basis = t.one(1174);
  return {
    ...receiptFromTlv(nodes),
    correction: withoutUndefined({
      type: t.num(1173) === 1 ? 'instruction' : 'self',
      baseDate: basis?.num(1178) ?? 0,
      baseNumber: basis?.str(1179) ?? '',
      baseName: basis?.str(1177),
    }),
  };
}

function itemFromTlv(t: Tags, nodes: readonly TlvNode[]): ReceiptItem {
  const agent = agentFromTlv(nodes, 1222);
  const supplier = supplierFromTlv(nodes);
  const rate = vatRateByCode(t.num(1199) ?? 0);
  const vatSum = t.num(1200);
  const measureCode = t.num(2108);
  const unit = t.str(1197);
  const measure = measureCode !== undefined ? entryByCode(MEASURES, measureCode) : MEASURES.find((m) => m.label === unit);
  return {
    name: t.str(1030) ?? '',
    priceKopecks: t.num(1079) ?? 0,
    quantity: t.str(1023) ?? '1',
    sumKopecks: t.num(1043) ?? 0,
    measure: measure?.id ?? '',
    vat: rate?.id ?? 'none',
    ...(vatSum !== undefined ? { vatSumKopecks: vatSum } : {}),
    paymentMethod: entryByCode(PAYMENT_METHODS, t.num(1214) ?? 0)?.id ?? '',
    paymentObject: entryByCode(PAYMENT_OBJECTS, t.num(1212) ?? 0, itemFfd(nodes) ?? '1.05')?.id ?? '',
    ...(agent ? { agent } : {}),
    ...(supplier ? { supplier } : {}),
  };
}

function cashlessFromTlv(t: Tags): CashlessPayment {
  const info = t.str(1238);
  const method = t.num(1236);
  return { sumKopecks: t.num(1082) ?? 0, ...(method !== undefined ? { method } : {}), ids: t.str(1237) ?? '', ...(info !== undefined ? { info } : {}) };
}
