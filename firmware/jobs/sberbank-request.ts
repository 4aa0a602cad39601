/**
 * A whole Sberbank acquiring request under `sberbank_request` (issue 11 §1): the parameters
 * the shop sent to `register.do` / `registerPreAuth.do` (with `orderBundle`), or to
 * `refund.do` (with `refundItems`), as an object; `orderBundle` and `refundItems` may be the
 * JSON text the form encoding carries. Translated into the contract's `order_bundle` form
 * (order-bundle.ts does the rest); the seller is the register's own registration unless the
 * job names a `company`.
 *
 * Parameter names: Sberbank ecom API (ecomtest.sberbank.ru/doc, "register.do",
 * "refund.do", "orderBundle"); the public PHP client voronkovich/sberbank-acquiring-client
 * sends the same names.
 */
import type { Problem, ValidationContext } from './job.ts';
import type { Translated } from './job-form-kit.ts';
import { objectAt, objectOrJson } from './job-form-kit.ts';
import { SBER_TAX_SYSTEMS } from './order-bundle.ts';

const AT = 'sberbank_request';

/** The shop's credentials at Sberbank: never needed, never kept, refused. */
export const SBER_CREDENTIALS = ['userName', 'password', 'token'] as const;

/** Parameters the register reads. */
export const SBER_USED = ['amount', 'currency', 'taxSystem', 'orderBundle', 'refundItems', 'email', 'phone', 'orderNumber', 'orderId'] as const;

/**
 * Parameters with no meaning for a receipt: accepted and ignored (README "Form 4").
 * They steer the payment page, the bank's callbacks or the card binding.
 */
export const SBER_IGNORED = [
  'description',
  'returnUrl',
  'failUrl',
  'dynamicCallbackUrl',
  'language',
  'pageView',
  'clientId',
  'merchantLogin',
  'jsonParams',
  'sessionTimeoutSecs',
  'expirationDate',
  'bindingId',
  'features',
  'autocompletionDate',
  'autoReverseDate',
  'postAddress',
  'feeInput',
  'billingPayerData',
  'shippingPayerData',
  'preOrderPayerData',
  'orderPayerData',
  'expectedDepositedAmount',
  'app2app',
  'back2app',
] as const;

const KNOWN = new Set<string>([...SBER_USED, ...SBER_IGNORED]);
const REFUND_TYPES = new Set(['sell_refund', 'buy_refund']);

export function fromSberbankRequest(job: Record<string, unknown>, ctx: ValidationContext, problems: Problem[]): Translated {
  const { sberbank_request: raw, ...envelope } = job;
  const out: Record<string, unknown> = { ...envelope };
  const renames: [string, string][] = [];
  const req = objectAt(raw);
  if (!req) {
    problems.push({ path: AT, message: 'must be the object of the request parameters' });
    return { value: out, renames, complete: false };
  }
  for (const k of SBER_CREDENTIALS) {
    // The value is never echoed: not in the problem, not in the journal, not in a log.
    if (req[k] !== undefined) problems.push({ path: `${AT}.${k}`, message: 'is a credential of the shop at Sberbank: remove it, the register neither needs nor keeps it' });
  }
  for (const k of Object.keys(req)) {
    if (!KNOWN.has(k) && !(SBER_CREDENTIALS as readonly string[]).includes(k)) {
      problems.push({ path: `${AT}.${k}`, message: 'is not a register.do, registerPreAuth.do or refund.do parameter this register knows' });
    }
  }
  if (req['currency'] !== undefined && String(req['currency']) !== '643') problems.push({ path: `${AT}.currency`, message: `${JSON.stringify(req['currency'])}: a receipt is in rubles, currency 643` });
  for (const k of ['order_bundle', 'receipt', 'correction']) {
    if (envelope[k] !== undefined) problems.push({ path: k, message: `give either ${AT} or ${k}, not both` });
  }

  // The cart: orderBundle (register.do) or refundItems (refund.do).
  const type = typeof envelope['type'] === 'string' ? envelope['type'] : '';
  let bundle: Record<string, unknown> | undefined;
  let itemsAt: string;
  if (req['refundItems'] !== undefined) {
    itemsAt = `${AT}.refundItems`;
    if (req['orderBundle'] !== undefined) problems.push({ path: `${AT}.refundItems`, message: 'give either orderBundle (register.do) or refundItems (refund.do), not both' });
    if (!REFUND_TYPES.has(type)) problems.push({ path: `${AT}.refundItems`, message: `refund.do's refundItems make a refund: the job type must be sell_refund or buy_refund, not ${type || 'absent'}` });
    const items = objectOrJson(req['refundItems'], itemsAt, problems);
    if (items) bundle = { cartItems: items };
    renames.push(['order_bundle.cartItems', itemsAt]);
  } else if (req['orderBundle'] !== undefined) {
    itemsAt = `${AT}.orderBundle.cartItems`;
    bundle = objectOrJson(req['orderBundle'], `${AT}.orderBundle`, problems);
    renames.push(['order_bundle', `${AT}.orderBundle`]);
  } else {
    problems.push({ path: `${AT}.orderBundle`, message: 'is required: the cart (orderBundle of register.do, or refundItems of refund.do)' });
    return { value: out, renames, complete: false };
  }
  if (!bundle) return { value: out, renames, complete: false };
  bundle = { ...bundle };

  // taxSystem: a register.do parameter beside the orderBundle (the contract's form had it inside).
  const outer = req['taxSystem'];
  if (outer !== undefined) {
    if (bundle['taxSystem'] !== undefined && bundle['taxSystem'] !== outer) {
      problems.push({ path: `${AT}.taxSystem`, message: `${JSON.stringify(outer)} contradicts ${AT}.orderBundle.taxSystem ${JSON.stringify(bundle['taxSystem'])}` });
    }
    bundle['taxSystem'] = outer;
    renames.push(['order_bundle.taxSystem', `${AT}.taxSystem`]);
  }

  // Buyer contact given as register.do's own email / phone parameters.
  const cd = { ...(objectAt(bundle['customerDetails']) ?? {}) };
  for (const k of ['email', 'phone'] as const) {
    if (req[k] !== undefined && cd[k] === undefined) {
      cd[k] = req[k];
      renames.push([`order_bundle.customerDetails.${k}`, `${AT}.${k}`]);
    }
  }
  if (Object.keys(cd).length > 0) bundle['customerDetails'] = cd;
  out['order_bundle'] = bundle;

  // A classic request names no seller: the register's registration is the seller.
  if (envelope['company'] === undefined) {
    const company: Record<string, unknown> = { inn: ctx.inn, payment_address: ctx.place ?? ctx.address };
    if (bundle['taxSystem'] === undefined) {
      if (ctx.taxSystems.length === 1) company['sno'] = ctx.taxSystems[0];
      else problems.push({ path: `${AT}.taxSystem`, message: `is required: the register is registered for several tax systems (${ctx.taxSystems.map((s) => `${SBER_TAX_SYSTEMS.indexOf(s as never)} ${s}`).join(', ')})` });
    }
    out['company'] = company;
  }

  // The payment itself: one card payment of the whole cart, named by its order (issue 10 §3,
  // fiscal-spec §7.3): 1235 {1082 the whole sum, 1237 the identifiers}. No 1236: the FNS has
  // published no codes for it, and the register invents none. A job that gives
  // cashless_payments itself keeps its own.
  const ids = paymentIds(req);
  if (ids !== undefined && envelope['cashless_payments'] === undefined) out['cashless_payments'] = [{ id: ids }];

  checkAmount(req['amount'], bundle, itemsAt, problems);
  return { value: out, renames };
}

/** `amount` (kopecks) must be what the items add up to: the card was charged that much. */
function checkAmount(amount: unknown, bundle: Record<string, unknown>, itemsAt: string, problems: Problem[]): void {
  if (amount === undefined) return;
  const given = typeof amount === 'string' && /^\d{1,15}$/.test(amount) ? Number(amount) : amount;
  if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 0) {
    problems.push({ path: `${AT}.amount`, message: 'must be whole kopecks' });
    return;
  }
  const items = objectAt(bundle['cartItems'])?.['items'];
  if (!Array.isArray(items)) return;
  const amounts = items.map((it) => objectAt(it)?.['itemAmount']);
  if (!amounts.every((a): a is number => typeof a === 'number' && Number.isSafeInteger(a))) return; // the schema reports those
  const total = amounts.reduce((a, b) => a + b, 0);
  if (total !== given) {
    problems.push({ path: `${AT}.amount`, message: `${given} is not the sum of ${itemsAt}.items[].itemAmount, ${total} (kopecks)` });
  }
}

/** 1237 from register.do's `orderNumber` (the shop's) and refund.do's `orderId` (Sberbank's), each named. */
export function paymentIds(req: Record<string, unknown>): string | undefined {
  const named = (['orderNumber', 'orderId'] as const).flatMap((k) => (typeof req[k] === 'string' || typeof req[k] === 'number' ? [`${k} ${String(req[k])}`] : []));
  return named.length > 0 ? named.join('; ') : undefined;
}
