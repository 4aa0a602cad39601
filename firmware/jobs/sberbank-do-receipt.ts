/**
 * The body of Sberbank's partner fiscalization call under `sberbank_do_receipt` (issue 11 §1):
 * `POST /ecomm/gw/partner/api/ofd/v1/doReceipt`, the receipt a shop asks Sberbank's cash
 * service to form apart from the payment. Its own key, not `sberbank_request`: it is another
 * API with its own fields (`receiptType`, `payments`, `total`, `company`, `ffdVersion` in the
 * orderBundle, `paymentMethod` / `paymentObject` as plain item fields), and a cloud that sends
 * both kinds must not have one read as the other.
 *
 * Field names and types: Sberbank's OpenAPI description as the generated public client
 * alekciy/php-ecom-sber-sdk carries it (docs/Api/FiscalizationServicesApi.md "doReceipt";
 * src/Model/DoReceiptRequest.php, OrderBundle.php, OrderBundleCompany.php,
 * OrderBundlePaymentsInner.php, CartItemsItemsInner.php). The shape of what is doReceipt's own
 * is schema/do-receipt.schema.json; the cart is then the orderBundle form's (order-bundle.ts),
 * with the problems renamed back to the paths the cloud wrote. Pure.
 */
import type { Problem, ValidationContext } from './job.ts';
import type { Translated } from './job-form-kit.ts';
import { objectAt } from './job-form-kit.ts';
import { validate } from './do-receipt-validator.ts';
import { errorProblems } from './job-schema.ts';
import { SBER_CREDENTIALS, paymentIds } from './sberbank-request.ts';
import { PAYMENT_METHODS, PAYMENT_OBJECTS } from '../fiscal/receipt-codes.ts';

const AT = 'sberbank_do_receipt';
const OB = `${AT}.orderBundle`;

/** receiptType → the job type it must be. Sberbank documents `sell` and `sell_refund`; the register forms the purchase side too. */
const RECEIPT_TYPES = ['sell', 'sell_refund', 'buy', 'buy_refund'] as const;

/** Fields that would change the document and that this register does not form: refused, never dropped. */
export const DO_RECEIPT_REFUSED: Readonly<Record<string, string>> = {
  additionalUserProps: 'the additional user requisite 1084',
  additionalCheckProps: 'the additional receipt requisite 1192',
  operatingCheckProps: 'the operation requisite 1270',
  sectoralCheckProps: 'the sectoral receipt requisite 1261',
  nomenclatureCode: 'the product code 1162 of marked goods',
  markCode: 'a marking code (1300–1307)',
  markQuantity: 'the marked fraction 1291',
  markProcessingMode: 'the marking processing mode 2102',
  excise: 'the excise sum 1229',
  countryCode: 'the country of origin 1230',
  declarationNumber: 'the customs declaration number 1231',
  sectoralItemProps: 'the sectoral item requisite 1260',
  userData: 'the additional item requisite 1191',
  address: "the buyer's address 1254",
  birthdate: "the buyer's birth date 1243",
  citizenship: "the buyer's citizenship 1244",
  documentType: "the buyer's identity document code 1245",
  documentNo: "the buyer's identity document number 1246",
};

/** Accepted and ignored (README "Form 6"): they steer Sberbank's cash service, not the receipt. */
export const DO_RECEIPT_IGNORED = ['receiptId', 'installments', 'ismOptional', 'orderCreationDate', 'itemCode', 'agentInterest', 'deliveryInfo'] as const;

/** Cart item fields passed on to the orderBundle form as they are. */
const ITEM_SHARED = ['positionId', 'itemCode', 'name', 'quantity', 'itemPrice', 'itemAmount', 'itemCurrency', 'discount', 'agentInterest', 'tax', 'agentInfo', 'supplierInfo'] as const;

export function fromDoReceipt(job: Record<string, unknown>, ctx: ValidationContext, problems: Problem[]): Translated {
  const { sberbank_do_receipt: raw, ...envelope } = job;
  const out: Record<string, unknown> = { ...envelope };
  const renames: [string, string][] = [['order_bundle', OB]];
  const stop = { value: out, renames, complete: false };
  const req = objectAt(raw);
  if (!req) {
    problems.push({ path: AT, message: 'must be the object of the doReceipt request body' });
    return stop;
  }
  // The value is never echoed: not in the problem, not in the journal, not in a log.
  for (const k of SBER_CREDENTIALS) if (req[k] !== undefined) problems.push({ path: `${AT}.${k}`, message: 'is a credential of the shop at Sberbank: remove it, the register neither needs nor keeps it' });
  for (const k of ['order_bundle', 'receipt', 'correction', 'company']) {
    if (envelope[k] !== undefined) problems.push({ path: k, message: k === 'company' ? `the seller of ${AT} is its orderBundle.company` : `give either ${AT} or ${k}, not both` });
  }
  if (!validate(req)) {
    problems.push(...errorProblems(validate.errors ?? [], AT, 'is not a doReceipt field this register knows'));
    return stop;
  }
  const ob = req['orderBundle'] as Record<string, unknown>;
  for (const k of Object.keys(ob)) if (DO_RECEIPT_REFUSED[k]) problems.push(refused(`${OB}.${k}`, k));

  operationOf(String(ob['receiptType']), envelope['type'], problems);
  if (ob['ffdVersion'] !== undefined && ob['ffdVersion'] !== ctx.ffd) {
    problems.push({ path: `${OB}.ffdVersion`, message: `"${String(ob['ffdVersion'])}" is not the FFD of this register, ${ctx.ffd}: it forms every document in its registered version; ask for the ${ctx.ffd} cart` });
  }

  const items = (ob['cartItems'] as { items: Record<string, unknown>[] }).items.map((it, i) => cartItem(it, i, renames, problems));
  const bundle: Record<string, unknown> = { cartItems: { items } };
  if (ob['orderCreationDate'] !== undefined) bundle['orderCreationDate'] = ob['orderCreationDate'];
  const cd = customerDetails(objectAt(ob['customerDetails']), req, renames, problems);
  if (cd) bundle['customerDetails'] = cd;

  const payments = ob['payments'] as { type: number; sum: number }[];
  if (totalAgrees(ob['total'] as number, items, payments, problems)) bundle['payments'] = payments;
  out['order_bundle'] = bundle;
  out['company'] = companyOf(objectAt(ob['company']), ctx, renames, problems);

  // The cashless payment's identifiers (1237), as Form 4 gives them, when there is one.
  const ids = paymentIds(req);
  if (ids !== undefined && envelope['cashless_payments'] === undefined && payments.some((p) => p.type === 1 && p.sum > 0)) out['cashless_payments'] = [{ id: ids }];
  return { value: out, renames };
}

function refused(path: string, key: string): Problem {
  return { path, message: `is ${DO_RECEIPT_REFUSED[key]}, which this register does not form: remove it` };
}

/** receiptType is the operation; the envelope's `type` must name the same one. */
function operationOf(receiptType: string, type: unknown, problems: Problem[]): void {
  const at = `${OB}.receiptType`;
  if (/correction/.test(receiptType)) {
    problems.push({ path: at, message: `"${receiptType}": doReceipt makes no correction receipt; send a correction job (correction or atol_request)` });
  } else if (!(RECEIPT_TYPES as readonly string[]).includes(receiptType)) {
    problems.push({ path: at, message: `"${receiptType}" is not a receipt type the register forms: ${RECEIPT_TYPES.join(', ')}` });
  } else if (type !== receiptType) {
    problems.push({ path: at, message: `"${receiptType}" differs from the job type ${JSON.stringify(type)}: give the same operation` });
  }
}

/** A doReceipt cart item → the orderBundle form's: paymentMethod / paymentObject become its itemAttributes. */
function cartItem(it: Record<string, unknown>, i: number, renames: [string, string][], problems: Problem[]): Record<string, unknown> {
  const from = `${OB}.cartItems.items[${i}]`;
  const to = `order_bundle.cartItems.items[${i}]`;
  for (const k of Object.keys(it)) if (DO_RECEIPT_REFUSED[k]) problems.push(refused(`${from}.${k}`, k));
  const item: Record<string, unknown> = {};
  for (const k of ITEM_SHARED) if (it[k] !== undefined) item[k] = it[k];
  const unit = it['measurementUnit'];
  if (unit !== undefined) {
    const q = objectAt(it['quantity']);
    if (q?.['measure'] !== undefined) problems.push({ path: `${from}.measurementUnit`, message: 'give either quantity.measure (FFD 1.2) or measurementUnit (FFD 1.05), not both' });
    else if (q) {
      item['quantity'] = { ...q, measure: unit };
      renames.push([`${to}.quantity.measure`, `${from}.measurementUnit`]);
    }
  }
  const attributes: { name: string; value: string }[] = [];
  const attribute = (name: 'paymentMethod' | 'paymentObject', table: typeof PAYMENT_METHODS): void => {
    const v = it[name];
    if (v === undefined) return;
    const code = typeof v === 'number' || /^\d{1,3}$/.test(String(v)) ? Number(v) : table.find((e) => e.id === v)?.code;
    if (code === undefined) {
      problems.push({ path: `${from}.${name}`, message: `${JSON.stringify(v)} is unknown; one of ${table.map((e) => `${e.id} (${e.code})`).join(', ')}` });
      return;
    }
    const at = `${to}.itemAttributes.attributes[${attributes.length}]`;
    renames.push([at, `${from}.${name}`], [`${at}.value`, `${from}.${name}`]);
    attributes.push({ name, value: String(code) });
  };
  attribute('paymentMethod', PAYMENT_METHODS);
  attribute('paymentObject', PAYMENT_OBJECTS);
  if (attributes.length > 0) item['itemAttributes'] = { attributes };
  return item;
}

/** customerDetails as the orderBundle form reads it, with the request's email / phone (1008) when it has none. */
function customerDetails(src: Record<string, unknown> | undefined, req: Record<string, unknown>, renames: [string, string][], problems: Problem[]): Record<string, unknown> | undefined {
  const cd: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src ?? {})) {
    if (DO_RECEIPT_REFUSED[k]) problems.push(refused(`${OB}.customerDetails.${k}`, k));
    else cd[k] = v;
  }
  for (const k of ['email', 'phone'] as const) {
    if (req[k] !== undefined && cd[k] === undefined) {
      cd[k] = req[k];
      renames.push([`order_bundle.customerDetails.${k}`, `${AT}.${k}`]);
    }
  }
  return Object.keys(cd).length > 0 ? cd : undefined;
}

/** `total` (1020) is what the items add up to and what was paid (doReceipt's own rule: "must match the sum of itemAmount"). */
function totalAgrees(total: number, items: readonly Record<string, unknown>[], payments: readonly { sum: number }[], problems: Problem[]): boolean {
  const amounts = items.map((it) => it['itemAmount']);
  const before = problems.length;
  if (amounts.every((a): a is number => typeof a === 'number' && Number.isSafeInteger(a))) {
    const cart = amounts.reduce((a, b) => a + b, 0);
    if (cart !== total) problems.push({ path: `${OB}.total`, message: `${total} is not the sum of ${OB}.cartItems.items[].itemAmount, ${cart} (kopecks)` });
  }
  const paid = payments.reduce((a, p) => a + p.sum, 0);
  if (paid !== total) problems.push({ path: `${OB}.total`, message: `${total} is not the sum of ${OB}.payments[].sum, ${paid} (kopecks)` });
  return problems.length === before;
}

/** The seller: orderBundle.company checked against the registration; what it leaves out is the registration's. */
function companyOf(src: Record<string, unknown> | undefined, ctx: ValidationContext, renames: [string, string][], problems: Problem[]): Record<string, unknown> {
  const company: Record<string, unknown> = { inn: src?.['inn'] ?? ctx.inn, payment_address: src?.['paymentAddress'] ?? ctx.place ?? ctx.address };
  if (src?.['email'] !== undefined) company['email'] = src['email'];
  if (src?.['sno'] !== undefined) company['sno'] = src['sno'];
  else if (ctx.taxSystems.length === 1) company['sno'] = ctx.taxSystems[0];
  else problems.push({ path: `${OB}.company.sno`, message: `is required: the register is registered for several tax systems (${ctx.taxSystems.join(', ')})` });
  renames.push(['company', `${OB}.company`], ['company.payment_address', `${OB}.company.paymentAddress`]);
  return company;
}
