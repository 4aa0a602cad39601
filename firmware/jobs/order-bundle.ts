/**
 * A Sberbank acquiring orderBundle (issue 3 §1) → the same Receipt an ATOL job makes. Pure.
 * The bundle is what the buyer paid by card, so the receipt has one electronic payment
 * (1081) of Σ itemAmount, unless it lists Sberbank's fiscal `payments` (doReceipt's form). Amounts are already integer kopecks; quantities are decimals.
 * The seller comes from the job's `company` (ATOL style), the tax system from
 * `order_bundle.taxSystem` (Sberbank codes) or `company.sno`.
 */
import { MEASURES, PAYMENT_METHODS, PAYMENT_OBJECTS, type Operation, type PaymentTypeId, type TaxSystem } from '../fiscal/receipt-codes.ts';
import type { Receipt, ReceiptItem } from '../fiscal/receipt.ts';
import type { MappedReceipt } from './atol-receipt.ts';
import type { Problem, ValidationContext } from './job.ts';
import { checkDiscountedAmount, checkItemSum, checkItemVat, discountedPrice, exactQuantity, sum, take, type Parsed } from './job-amounts.ts';
import { checkAdvanceRate, checkRateDate, lookupCode, lookupSberTaxType, lookupTaxSystem, unsupportedPaymentObject, type Coded } from './job-codes.ts';
import { cashlessOf, internetProblems, jobDate } from './job-2025-tags.ts';
import { measureAlias } from './measure-labels.ts';
import { buyerOf, cashierOf, checkText, sellerOf, TEXT_TAGS, type BuyerSource } from './job-parties.ts';
import type { CartItem, OrderBundle, WireJob } from './job-wire.ts';
import { sberItemParties } from './job-agents.ts';

/** Sberbank `taxSystem` code (the index) → ATOL `sno`. */
export const SBER_TAX_SYSTEMS: readonly TaxSystem[] = ['osn', 'usn_income', 'usn_income_outcome', 'envd', 'esn', 'patent'];

/** `itemAttributes` the register understands: their values are 1214 / 1212 codes. */
const ATTRIBUTES = {
  paymentMethod: { table: PAYMENT_METHODS, what: 'payment method', fallback: 'full_payment' },
  paymentObject: { table: PAYMENT_OBJECTS, what: 'payment object', fallback: 'commodity' },
} as const;
type AttributeName = keyof typeof ATTRIBUTES;


const BUNDLE = 'order_bundle';
const ITEMS = `${BUNDLE}.cartItems.items`;

export function orderBundleReceipt(bundle: OrderBundle, operation: Operation, job: WireJob, ctx: ValidationContext, problems: Problem[]): MappedReceipt {
  const at = jobDate(job, ctx, problems);
  const warnings = new Set<string>();
  const items = bundle.cartItems.items.map((it, i) => cartItem(it, `${ITEMS}[${i}]`, ctx, problems, at, warnings));
  checkPositionIds(bundle.cartItems.items, problems);
  // The cart's total is Σ itemAmount; without `payments` the card paid all of it.
  const total = sum(bundle.cartItems.items.map((it) => it.itemAmount));
  const payments = paymentsOf(bundle.payments, total, problems);
  const company = job.company ?? { inn: '', payment_address: '' }; // the schema requires it with order_bundle
  const taxSystem = taxSystemOf(bundle, company.sno, ctx, problems);
  const seller = sellerOf(company, 'company', ctx, problems);
  const cashier = cashierOf({ value: job.cashier, path: 'cashier' }, { value: job.cashier_inn, path: 'cashier_inn' }, ctx, problems);
  const electronic = job.internet ?? false;
  const buyer = buyerOf(buyerSource(job, bundle), electronic, 'client', ctx, problems);
  if (total === 0) problems.push({ path: `${ITEMS}`, message: 'the cart adds up to 0: a receipt whose total is 0 records no settlement and is not formed' });
  if (electronic) problems.push(...internetProblems(ctx, 'company.payment_address'));
  // The card payment's details (1234), when the job knows them: its sum defaults to the whole cart.
  const cashless = cashlessOf(job.cashless_payments, 'cashless_payments', payments.electronic, ctx, problems, payments.electronic);
  const receipt: Receipt = {
    operation,
    taxSystem: taxSystem ?? 'osn', // only read when there are no problems
    items: items.filter((i): i is ReceiptItem => i !== undefined),
    payments,
    totalKopecks: total,
    seller,
    ...(cashier !== undefined ? { cashier } : {}),
    ...(buyer !== undefined ? { buyer } : {}),
    ...(electronic ? { internet: true } : {}),
    ...(cashless.length > 0 ? { cashless } : {}),
  };
  return { receipt, electronic, warnings: [...warnings] };
}

function cartItem(it: CartItem, path: string, ctx: ValidationContext, problems: Problem[], at: number | undefined, warnings: Set<string>): ReceiptItem | undefined {
  const before = problems.length;
  checkText(it.name, TEXT_TAGS.itemName, ctx, `${path}.name`, problems);
  const quantity = take(exactQuantity(it.quantity.value), `${path}.quantity.value`, problems);
  const measure = take(measureOf(it.quantity.measure, ctx), `${path}.quantity.measure`, problems);
  // By the Sberbank column of the VAT table; 18 % codes are refused, never remapped (fiscal-spec §7.1).
  const rate = take(lookupSberTaxType(it.tax.taxType), `${path}.tax.taxType`, problems);
  if (rate) checkRateDate(rate, at, `${path}.tax.taxType`, problems, warnings);
  if (quantity !== undefined) {
    if (it.discount) checkDiscountedAmount(it.itemPrice, quantity, it.discount, it.itemAmount, path, problems);
    else checkItemSum(it.itemPrice, quantity, it.itemAmount, `${path}.itemAmount`, problems, 'kopecks');
  }
  if (rate && it.tax.taxSum !== undefined) checkItemVat(rate, it.itemAmount, it.tax.taxSum, `${path}.tax.taxSum`, problems, 'kopecks');
  const attrs = attributesOf(it, `${path}.itemAttributes.attributes`, ctx, problems);
  const parties = sberItemParties(it, path, ctx, problems);
  if (rate && attrs) checkAdvanceRate(rate, attrs.paymentMethod, `${path}.tax.taxType`, warnings);
  if (problems.length > before || quantity === undefined || !measure || !rate || !attrs) return undefined;
  return {
    name: it.name,
    // With a discount the FFD price is the discounted one, spread over the units (ATOL's rule).
    priceKopecks: it.discount ? discountedPrice(it.itemPrice, quantity, it.itemAmount) : it.itemPrice,
    quantity,
    sumKopecks: it.itemAmount,
    measure: measure.id,
    vat: rate.id,
    ...(it.tax.taxSum !== undefined ? { vatSumKopecks: it.tax.taxSum } : {}),
    paymentMethod: attrs.paymentMethod,
    paymentObject: attrs.paymentObject,
    ...parties,
  };
}

/** quantity.measure: a 2108 code (number or digits), a unit label ("кг"), or absent = piece. */
function measureOf(measure: number | string | undefined, ctx: ValidationContext): Parsed<Coded> {
  if (measure === undefined) return lookupCode(MEASURES, 'measure', 'piece', ctx.ffd);
  if (typeof measure === 'string' && /^\d{1,3}$/.test(measure.trim())) return lookupCode(MEASURES, 'measure', Number(measure), ctx.ffd);
  const alias = typeof measure === 'string' ? measureAlias(measure) : undefined;
  return lookupCode(MEASURES, 'measure', alias ?? measure, ctx.ffd, true);
}

/** paymentMethod / paymentObject from itemAttributes, defaulting to full payment of goods. */
function attributesOf(it: CartItem, path: string, ctx: ValidationContext, problems: Problem[]): Record<AttributeName, string> | undefined {
  const before = problems.length;
  const out: Record<AttributeName, string> = { paymentMethod: ATTRIBUTES.paymentMethod.fallback, paymentObject: ATTRIBUTES.paymentObject.fallback };
  const seen = new Set<string>();
  (it.itemAttributes?.attributes ?? []).forEach((a, j) => {
    if (!Object.hasOwn(ATTRIBUTES, a.name)) {
      problems.push({ path: `${path}[${j}].name`, message: `attribute "${a.name}" is not supported; only ${Object.keys(ATTRIBUTES).join(', ')}` });
      return;
    }
    if (seen.has(a.name)) problems.push({ path: `${path}[${j}].name`, message: `${a.name} is given more than once` });
    seen.add(a.name);
    const spec = ATTRIBUTES[a.name as AttributeName];
    const code = typeof a.value === 'number' ? a.value : /^\d{1,3}$/.test(a.value) ? Number(a.value) : undefined;
    if (code === undefined) {
      problems.push({ path: `${path}[${j}].value`, message: `${spec.what} must be a numeric code, not ${JSON.stringify(a.value)}` });
      return;
    }
    const notYet = a.name === 'paymentObject' ? unsupportedPaymentObject(code, `${path}[${j}].value`) : undefined;
    if (notYet) {
      problems.push(notYet);
      return;
    }
    const entry = take(lookupCode(spec.table, spec.what, code, ctx.ffd), `${path}[${j}].value`, problems);
    if (entry) out[a.name as AttributeName] = entry.id;
  });
  return problems.length === before ? out : undefined;
}

/**
 * Sberbank's fiscal payment types (OrderBundlePaymentsInner.type, alekciy/php-ecom-sber-sdk):
 * 1 cashless 1081, 2 prepayment offset 1215, 3 credit 1216, 4 counter-provision 1217. There
 * is no cash type: the numbers are not ATOL's, though 1–4 happen to mean the same.
 */
export const SBER_PAYMENT_TYPES: Readonly<Record<number, PaymentTypeId>> = { 1: 'electronic', 2: 'prepaid', 3: 'credit', 4: 'provision' };

/** `payments` by type, adding up to the cart; absent: one cashless payment of the whole cart. */
function paymentsOf(list: OrderBundle['payments'], total: number, problems: Problem[]): Partial<Record<PaymentTypeId, number>> {
  if (!list) return { electronic: total };
  const out: Partial<Record<PaymentTypeId, number>> = {};
  list.forEach((p, i) => {
    const id = SBER_PAYMENT_TYPES[p.type];
    if (id === undefined) problems.push({ path: `${BUNDLE}.payments[${i}].type`, message: `${p.type} is not a Sberbank payment type: ${Object.entries(SBER_PAYMENT_TYPES).map(([k, v]) => `${k} ${v}`).join(', ')} (Sberbank's fiscal API has no cash payment)` });
    else out[id] = (out[id] ?? 0) + p.sum;
  });
  const paid = list.reduce((a, p) => a + p.sum, 0);
  if (paid !== total) problems.push({ path: `${BUNDLE}.payments`, message: `add up to ${paid} kopecks, the items (itemAmount) to ${total}` });
  return out;
}

function checkPositionIds(items: readonly CartItem[], problems: Problem[]): void {
  const seen = new Set<string>();
  items.forEach((it, i) => {
    const key = String(it.positionId);
    if (seen.has(key)) problems.push({ path: `${ITEMS}[${i}].positionId`, message: `positionId ${key} is used by an earlier item` });
    seen.add(key);
  });
}

/** `order_bundle.taxSystem` (Sberbank code) or `company.sno`; both must agree when both are given. */
function taxSystemOf(bundle: OrderBundle, sno: string | undefined, ctx: ValidationContext, problems: Problem[]): TaxSystem | undefined {
  let fromBundle: TaxSystem | undefined;
  if (bundle.taxSystem !== undefined) {
    fromBundle = SBER_TAX_SYSTEMS[bundle.taxSystem];
    if (!fromBundle) {
      problems.push({ path: `${BUNDLE}.taxSystem`, message: `taxSystem ${bundle.taxSystem} is unknown; ${SBER_TAX_SYSTEMS.map((s, i) => `${i} ${s}`).join(', ')}` });
      return undefined;
    }
  }
  if (sno !== undefined && fromBundle !== undefined && sno !== fromBundle) {
    problems.push({ path: 'company.sno', message: `"${sno}" contradicts order_bundle.taxSystem ${bundle.taxSystem} (${fromBundle})` });
    return undefined;
  }
  const chosen = fromBundle ?? sno;
  const path = fromBundle !== undefined ? `${BUNDLE}.taxSystem` : 'company.sno';
  if (chosen === undefined) {
    problems.push({ path, message: 'the tax system is required: company.sno or order_bundle.taxSystem' });
    return undefined;
  }
  return take(lookupTaxSystem(chosen, ctx.taxSystems), path, problems);
}

/** Sberbank phones come as 7XXXXXXXXXX, 8XXXXXXXXXX or +7XXXXXXXXXX; 1008 wants +7XXXXXXXXXX. */
export function sberPhone(phone: string): string {
  const m = /^(?:\+7|7|8)(\d{10})$/.exec(phone.replace(/[\s()-]/g, ''));
  return m ? `+7${m[1]}` : phone;
}

/** The job's `client` contact wins; customerDetails fills in when the client gives none. */
function buyerSource(job: WireJob, bundle: OrderBundle): BuyerSource {
  const cd = bundle.customerDetails;
  const at = `${BUNDLE}.customerDetails`;
  const client = job.client;
  const useClient = client?.email !== undefined || client?.phone !== undefined;
  // customerDetails.contact, Sberbank's "preferred contact", fills in when it is an e-mail or phone.
  const contact = cd?.contact?.trim();
  const contactEmail = contact !== undefined && contact.includes('@') ? contact : undefined;
  const contactPhone = contact !== undefined && contactEmail === undefined && /^\+?[\d\s()-]{10,}$/.test(contact) ? sberPhone(contact) : undefined;
  const email = useClient ? client?.email : (cd?.email ?? (cd?.phone === undefined ? contactEmail : undefined));
  const phone = useClient ? client?.phone : cd?.phone !== undefined ? sberPhone(cd.phone) : cd?.email === undefined ? contactPhone : undefined;
  const from = useClient ? 'client' : at;
  return {
    ...(email !== undefined ? { email: { value: email, path: `${from}.${useClient || cd?.email !== undefined ? 'email' : 'contact'}` } } : {}),
    ...(phone !== undefined ? { phone: { value: phone, path: `${from}.${useClient || cd?.phone !== undefined ? 'phone' : 'contact'}` } } : {}),
    ...(cd?.fullName !== undefined ? { name: { value: cd.fullName, path: `${at}.fullName` } } : {}),
    ...(cd?.inn !== undefined ? { inn: { value: cd.inn, path: `${at}.inn` } } : {}),
  };
}
