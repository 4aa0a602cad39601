/**
 * An ATOL Online v5 receipt or correction (issue 3 §1) → the register's Receipt, with every
 * problem and its path (issue 3 §2). Pure. Runs only on a value the schema accepted, so
 * the shapes are known; what is checked here is what a schema cannot say: exact money,
 * codes for the FFD version, arithmetic, INN digits, CP866 lengths, the registration.
 */
import { MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, type Operation, type PaymentTypeId } from '../fiscal/receipt-codes.ts';
import type { Correction, CorrectionReceipt, Receipt, ReceiptItem } from '../fiscal/receipt.ts';
import { vatOf, type RateDateOf, type VatRate } from '../fiscal/vat-rates.ts';
import type { Problem, ValidationContext } from './job.ts';
import { checkItemVat, discountedPrice, exactQuantity, moneyText, rublesToKopecks, sum, take } from './job-amounts.ts';
import { checkAdvanceRate, checkRateDate, lookupCode, lookupPaymentType, lookupTaxSystem, lookupVat, unsupportedPaymentObject } from './job-codes.ts';
import { cashlessOf, internetProblems, jobDate } from './job-2025-tags.ts';
import { buyerOf, cashierOf, checkText, sameIfBoth, sellerOf, TEXT_TAGS } from './job-parties.ts';
import type { AtolCorrection, AtolCorrectionInfo, AtolItem, AtolReceipt, WireJob } from './job-wire.ts';
import { agentOf, checkAgentRules, supplierOf, supplierPhonesOf } from './job-agents.ts';

export interface MappedReceipt<R extends Receipt = Receipt> {
  readonly receipt: R;
  readonly electronic: boolean;
  /** Lawful but worth saying (fiscal-spec §7.2): 20 % on a 2026 document. */
  readonly warnings: readonly string[];
}

/** `base` is where the receipt sits in the job: "receipt" or "correction". */
/**
 * `rated`: the date the items' VAT rates are judged by, when not the document's own (a
 * correction's: the corrected settlement's, fiscal-spec §7.2); `at` undefined: not judged.
 */
export function atolReceipt(src: AtolReceipt, base: string, operation: Operation, job: WireJob, ctx: ValidationContext, problems: Problem[], rated?: RatedAt): MappedReceipt & { readonly date: number | undefined } {
  const date = jobDate(job, ctx, problems);
  const warnings = new Set<string>();
  const rate = rated ?? { at: date, of: 'document' };
  const mapped = src.items.map((it, i) => atolItem(it, `${base}.items[${i}]`, ctx, problems, rate, warnings));
  const total = take(rublesToKopecks(src.total), `${base}.total`, problems);
  const payments = atolPayments(src, base, problems);
  const good = mapped.flatMap((m) => (m.item ? [m.item] : []));

  // Totals are compared only when every item's sum parsed: a missing one would make them noise.
  const sums = mapped.flatMap((m) => (m.sumKopecks !== undefined ? [{ sumKopecks: m.sumKopecks, rate: m.rate }] : []));
  if (sums.length === mapped.length && total !== undefined) {
    const itemsSum = sum(sums.map((i) => i.sumKopecks));
    if (itemsSum !== total) problems.push({ path: `${base}.total`, message: `${moneyText(total, 'rubles')} is not the sum of the items, ${moneyText(itemsSum, 'rubles')}` });
    if (src.vats && sums.every((i) => i.rate)) checkVats(src.vats, sums, base, problems, warnings);
  }
  if (payments && total !== undefined) {
    const paid = sum(Object.values(payments));
    if (paid !== total) problems.push({ path: `${base}.payments`, message: `payments add up to ${moneyText(paid, 'rubles')}, the total is ${moneyText(total, 'rubles')}` });
  }

  const taxSystem = take(lookupTaxSystem(src.company.sno, ctx.taxSystems), `${base}.company.sno`, problems);
  const seller = sellerOf(src.company, `${base}.company`, ctx, problems);
  const cashier = cashierOf(
    sameIfBoth({ value: src.cashier, path: `${base}.cashier` }, { value: job.cashier, path: 'cashier' }, problems),
    sameIfBoth({ value: src.cashier_inn, path: `${base}.cashier_inn` }, { value: job.cashier_inn, path: 'cashier_inn' }, problems),
    ctx,
    problems,
  );
  const electronic = sameIfBoth({ value: src.internet, path: `${base}.internet` }, { value: job.internet, path: 'internet' }, problems).value ?? false;
  const c = src.client;
  const at = `${base}.client`;
  const buyer = buyerOf(
    {
      ...(c?.email !== undefined ? { email: { value: c.email, path: `${at}.email` } } : {}),
      ...(c?.phone !== undefined ? { phone: { value: c.phone, path: `${at}.phone` } } : {}),
      ...(c?.name !== undefined ? { name: { value: c.name, path: `${at}.name` } } : {}),
      ...(c?.inn !== undefined ? { inn: { value: c.inn, path: `${at}.inn` } } : {}),
    },
    electronic,
    at,
    ctx,
    problems,
  );
  // The rule for a total of 0 (issue 10 §2; receipt-builder.ts): not formed.
  if (total === 0) problems.push({ path: `${base}.total`, message: 'a receipt whose total is 0 records no settlement and is not formed; a zero-priced item goes on a paid receipt' });
  if (electronic) problems.push(...internetProblems(ctx, `${base}.company.payment_address`));
  const cashless = cashlessOf(src.cashless_payments, `${base}.cashless_payments`, payments?.electronic, ctx, problems);
  checkAgentRules({ agent: src.agent_info, supplier: src.supplier_info }, src.items.map((it) => ({ agent: it.agent_info, supplier: it.supplier_info })), base, ctx, problems);
  const agent = agentOf(src.agent_info, `${base}.agent_info`, ctx, problems);
  const supplierPhones = supplierPhonesOf(src.supplier_info, `${base}.supplier_info`, ctx, problems);
  const receipt: Receipt = {
    operation,
    taxSystem: taxSystem ?? 'osn', // only read when there are no problems
    items: good,
    payments: payments ?? {},
    totalKopecks: total ?? 0,
    seller,
    ...(cashier !== undefined ? { cashier } : {}),
    ...(buyer !== undefined ? { buyer } : {}),
    ...(electronic ? { internet: true } : {}),
    ...(cashless.length > 0 ? { cashless } : {}),
    ...(agent ? { agent } : {}),
    ...(supplierPhones.length > 0 ? { supplierPhones } : {}),
  };
  return { receipt, electronic, warnings: [...warnings], date };
}

/** FFD 1.05 corrects sales and purchases only; refund corrections (1054 = 2, 4) are FFD 1.2 (fiscal-spec §7.4). */
const CORRECTABLE_IN_105: readonly Operation[] = ['sell', 'buy'];

export function atolCorrection(src: AtolCorrection, operation: Operation, job: WireJob, ctx: ValidationContext, problems: Problem[]): MappedReceipt<CorrectionReceipt> {
  if (ctx.ffd === '1.05' && !CORRECTABLE_IN_105.includes(operation)) {
    problems.push({ path: 'type', kind: 'unsupported', message: `${job.type} (1054 = ${operation === 'sell_refund' ? 2 : 4}) exists from FFD 1.2; this register is registered in FFD 1.05: re-register it in FFD 1.2` });
  }
  const path = 'correction.correction_info';
  const settled = registerLocalDate(src.correction_info.base_date);
  const rated: RatedAt = { at: settled.ok ? settled.value : undefined, of: 'corrected settlement' };
  const { receipt, electronic, warnings, date } = atolReceipt(src, 'correction', operation, job, ctx, problems, rated);
  const correction = correctionOf(src.correction_info, path, ctx, problems);
  if (settled.ok && date !== undefined && settled.value > date) {
    problems.push({ path: `${path}.base_date`, message: `the corrected settlement (${src.correction_info.base_date}) is dated after this correction receipt` });
  }
  return { receipt: { ...receipt, correction }, electronic, warnings };
}

interface MappedItem {
  /** Undefined when any field of the item has a problem. */
  readonly item: ReceiptItem | undefined;
  /** What the receipt-level checks need, when it parsed. */
  readonly sumKopecks: number | undefined;
  readonly rate: VatRate | undefined;
}

/** The date a VAT rate is judged by, and whose date it is (rateUseAt). */
interface RatedAt {
  readonly at: number | undefined;
  readonly of: RateDateOf;
}

function atolItem(it: AtolItem, path: string, ctx: ValidationContext, problems: Problem[], rated: RatedAt, warnings: Set<string>): MappedItem {
  const before = problems.length;
  checkText(it.name, TEXT_TAGS.itemName, ctx, `${path}.name`, problems);
  const price = take(rublesToKopecks(it.price), `${path}.price`, problems);
  const quantity = take(exactQuantity(it.quantity), `${path}.quantity`, problems);
  const sumKopecks = take(rublesToKopecks(it.sum), `${path}.sum`, problems);
  const measure = take(lookupCode(MEASURES, 'measure', it.measure, ctx.ffd), `${path}.measure`, problems);
  const method = take(lookupCode(PAYMENT_METHODS, 'payment method', it.payment_method, ctx.ffd), `${path}.payment_method`, problems);
  const notYet = unsupportedPaymentObject(it.payment_object, `${path}.payment_object`);
  if (notYet) problems.push(notYet);
  const object = notYet ? undefined : take(lookupCode(PAYMENT_OBJECTS, 'payment object', it.payment_object, ctx.ffd), `${path}.payment_object`, problems);
  const rate = take(lookupVat(it.vat.type), `${path}.vat.type`, problems);
  if (rate) checkRateDate(rate, rated.at, `${path}.vat.type`, problems, warnings, rated.of);
  if (rate && method) checkAdvanceRate(rate, method.id, `${path}.vat.type`, warnings);
  const vatSum = it.vat.sum === undefined ? undefined : take(rublesToKopecks(it.vat.sum), `${path}.vat.sum`, problems);
  if (rate && sumKopecks !== undefined && vatSum !== undefined) checkItemVat(rate, sumKopecks, vatSum, `${path}.vat.sum`, problems, 'rubles');
  const agent = agentOf(it.agent_info, `${path}.agent_info`, ctx, problems);
  const supplier = supplierOf(it.supplier_info, `${path}.supplier_info`, ctx, problems);
  const partial = { sumKopecks, rate };
  if (problems.length > before || price === undefined || quantity === undefined || sumKopecks === undefined) return { ...partial, item: undefined };
  if (!measure || !method || !object || !rate) return { ...partial, item: undefined };
  // sum may differ from price × quantity: a discount or markup (ATOL's rule, job-amounts.ts).
  // Applied, and said in the result, so the cloud sees the unit price the receipt carries.
  const priceKopecks = discountedPrice(price, quantity, sumKopecks);
  if (priceKopecks !== price) {
    warnings.add(`${path}: sum ${moneyText(sumKopecks, 'rubles')} is not price × quantity (${moneyText(price, 'rubles')} × ${quantity}): taken as a discount or markup, the unit price on the receipt is ${moneyText(priceKopecks, 'rubles')}`);
  }
  const item: ReceiptItem = {
    name: it.name,
    priceKopecks,
    quantity,
    sumKopecks,
    measure: measure.id,
    vat: rate.id,
    ...(vatSum !== undefined ? { vatSumKopecks: vatSum } : {}),
    paymentMethod: method.id,
    paymentObject: object.id,
    ...(agent ? { agent } : {}),
    ...(supplier ? { supplier } : {}),
  };
  return { ...partial, item };
}

/** Payments summed per type (several cash entries are one 1031 total); undefined if any is bad. */
function atolPayments(src: AtolReceipt, base: string, problems: Problem[]): Partial<Record<PaymentTypeId, number>> | undefined {
  const before = problems.length;
  const out: Partial<Record<PaymentTypeId, number>> = {};
  src.payments.forEach((p, j) => {
    const type = take(lookupPaymentType(p.type), `${base}.payments[${j}].type`, problems);
    const amount = take(rublesToKopecks(p.sum), `${base}.payments[${j}].sum`, problems);
    if (type !== undefined && amount !== undefined) out[type] = (out[type] ?? 0) + amount;
  });
  return problems.length === before ? out : undefined;
}

/**
 * `vats` is checked, not copied: the register computes the VAT totals (1102–1107) from
 * the items itself (receipt-builder.ts vatTotals). Each listed rate must match the VAT of
 * its items within 1 kopeck of rounding per item (a difference inside that is a warning);
 * rates left out are not an error.
 */
function checkVats(vats: NonNullable<AtolReceipt['vats']>, items: readonly { sumKopecks: number; rate: VatRate | undefined }[], base: string, problems: Problem[], warnings: Set<string>): void {
  const seen = new Set<string>();
  vats.forEach((v, k) => {
    const path = `${base}.vats[${k}]`;
    const rate = take(lookupVat(v.type), `${path}.type`, problems);
    const given = take(rublesToKopecks(v.sum), `${path}.sum`, problems);
    if (!rate || given === undefined) return;
    if (seen.has(rate.id)) {
      problems.push({ path: `${path}.type`, message: `${rate.id} is listed more than once` });
      return;
    }
    seen.add(rate.id);
    const mine = items.filter((i) => i.rate?.id === rate.id);
    const expected = sum(mine.map((i) => vatOf(rate, i.sumKopecks)));
    const tolerance = rate.numerator === 0n ? 0 : mine.length;
    if (Math.abs(given - expected) > tolerance) {
      const which = mine.length ? `the items at ${rate.id} carry ${moneyText(expected, 'rubles')} of VAT (1 kopeck of rounding allowed per item)` : `no item is at ${rate.id}`;
      problems.push({ path: `${path}.sum`, message: `${moneyText(given, 'rubles')}, but ${which}` });
    } else if (given !== expected) {
      warnings.add(`${path}.sum: ${moneyText(given, 'rubles')} given, ${moneyText(expected, 'rubles')} on the receipt (the VAT of its items, rounded per item)`);
    }
  });
}

const DATE = /^(\d{2})\.(\d{2})\.(\d{4})$/;

/** correction_info → 1173 type and 1174 basis (1178 date, 1179 number, 1177 name in FFD 1.05). */
function correctionOf(info: AtolCorrectionInfo, path: string, ctx: ValidationContext, problems: Problem[]): Correction {
  const baseDate = take(registerLocalDate(info.base_date), `${path}.base_date`, problems) ?? 0;
  const baseNumber = info.base_number ?? '';
  if (info.type === 'instruction' && baseNumber.trim() === '') {
    problems.push({ path: `${path}.base_number`, message: 'a correction by instruction needs the number of the tax authority order' });
  } else if (ctx.ffd === '1.05' && baseNumber.trim() === '') {
    // FFD 1.05 names the basis document in every correction: 1179 is mandatory in its 1174.
    problems.push({ path: `${path}.base_number`, message: 'an FFD 1.05 correction names its basis document (1179): the number of the act or memo it rests on' });
  }
  if (baseNumber) checkText(baseNumber, TEXT_TAGS.correctionNumber, ctx, `${path}.base_number`, problems);
  // 1177 exists in FFD 1.05 only: in FFD 1.2 the name is refused with its path, never dropped (issue 10 §4).
  if (info.base_name !== undefined && ctx.ffd === '1.2') problems.push({ path: `${path}.base_name`, message: 'the correction basis name (1177) does not exist in FFD 1.2; leave it out' });
  else if (info.base_name !== undefined) checkText(info.base_name, TEXT_TAGS.correctionName, ctx, `${path}.base_name`, problems);
  return { type: info.type, baseDate, baseNumber, ...(info.base_name !== undefined ? { baseName: info.base_name } : {}) };
}

/**
 * dd.mm.yyyy → register-local unix seconds at 00:00: FFD time fields carry the register's
 * local time without a zone (fiscal-spec §2.1 UnixTime, §6.6), so the date is taken as if UTC.
 */
export function registerLocalDate(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const m = DATE.exec(text);
  const [d, mo, y] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const ms = Date.UTC(y, mo - 1, d);
  const date = new Date(ms);
  if (!m || y < 2000 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return { ok: false, message: `"${text}" is not a date dd.mm.yyyy from 2000 on` };
  }
  return { ok: true, value: ms / 1000 };
}
