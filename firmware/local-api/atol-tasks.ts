/**
 * ATOL driver JSON tasks (the `request[]` of the ATOL web server, issue 13 §1) → the job
 * contract's own envelope (firmware/jobs/README.md Form 1 and 2), which the intake then
 * checks as it checks the cloud's jobs. Pure. Field-by-field mapping: README.md here.
 *
 * Task and field names follow ATOL's public client code: the web server client
 * Bedunkevich/atol (src/types.ts: task types, `taxationType` names, `tax.type`, payment
 * types, item fields) and the ATOL web requests model of F-Lab Market (izzatbek1988/TestMarket,
 * AtolDrivers/WebRequests/AtolWebRequestsDriver.cs) (positions with
 * `amount`, `measurementUnit`, `paymentMethod`, `paymentObject`, `operator.vatin`,
 * `clientInfo.emailOrPhone`; query task names and answers).
 */
import { rublesToKopecks, sum } from '../jobs/job-amounts.ts';
import { JOB_TYPES, type Problem, type ValidationContext } from '../jobs/job.ts';
import { PAYMENT_METHODS, PAYMENT_OBJECTS, PAYMENT_TYPES, type PaymentTypeId } from '../fiscal/receipt-codes.ts';
import { VAT_RATES, vatRate } from '../fiscal/vat-rates.ts';

/** Tasks that make a job: ATOL driver name → job type of the contract. */
const JOB_TASKS: Readonly<Record<string, string>> = {
  sell: 'sell',
  sellReturn: 'sell_refund',
  buy: 'buy',
  buyReturn: 'buy_refund',
  sellCorrection: 'sell_correction',
  buyCorrection: 'buy_correction',
  // Corrections of returns (1054 = 2, 4), FFD 1.2 only (issue 10).
  sellReturnCorrection: 'sell_refund_correction',
  buyReturnCorrection: 'buy_refund_correction',
  openShift: 'open_shift',
  closeShift: 'close_shift',
  reportX: 'x_report',
  continuePrint: 'continue_printing',
  printLastReceiptCopy: 'print_copy',
};

/** Tasks answered from the register's state, forming nothing. */
export const QUERY_TASKS = ['getDeviceStatus', 'getShiftStatus', 'getFnInfo', 'ofdExchangeStatus'] as const;
export type QueryTask = (typeof QUERY_TASKS)[number];

export const SUPPORTED_TASKS: readonly string[] = [...Object.keys(JOB_TASKS).filter((t) => isKnownJobType(JOB_TASKS[t])), ...QUERY_TASKS];

/** ATOL `taxationType` → the contract's `sno`. */
const TAXATION: Readonly<Record<string, string>> = { osn: 'osn', usnIncome: 'usn_income', usnIncomeOutcome: 'usn_income_outcome', envd: 'envd', esn: 'esn', patent: 'patent' };

/** ATOL payment `type` (name or number) → the contract's payment type id. */
const PAYMENT_TYPE: Readonly<Record<string, PaymentTypeId>> = { cash: 'cash', electronically: 'electronic', prepaid: 'prepaid', credit: 'credit', other: 'provision', '0': 'cash', '1': 'electronic', '2': 'prepaid', '3': 'credit', '4': 'provision' };

/** ATOL payment object names that are not the contract's id in camelCase. */
const PAYMENT_OBJECT_NAMES: Readonly<Record<string, string>> = { proprietaryLaw: 'property_right', nonOperatingIncome: 'non-operating_gain', nonOperatingGain: 'non-operating_gain' };

export type TaskPlan =
  /** A job for the intake: the contract's envelope, without its id (the request store names it). */
  | {
      readonly kind: 'job';
      readonly task: string;
      readonly job: Record<string, unknown>;
      /** The task's `items` index of each job item (text items are left out of the job). */
      readonly itemIndex: readonly number[];
    }
  | { readonly kind: 'query'; readonly task: QueryTask }
  | { readonly kind: 'invalid'; readonly task: string | undefined; readonly problems: readonly Problem[] };

type Json = Record<string, unknown>;

export function planTask(raw: unknown, path: string, ctx: ValidationContext): TaskPlan {
  if (!isObject(raw)) return { kind: 'invalid', task: undefined, problems: [{ path, message: 'a task is an object with a `type`' }] };
  const type = raw['type'];
  if (typeof type !== 'string') return { kind: 'invalid', task: undefined, problems: [{ path: `${path}.type`, message: 'is required (a task name)' }] };
  if ((QUERY_TASKS as readonly string[]).includes(type)) return { kind: 'query', task: type as QueryTask };
  const jobType = JOB_TASKS[type];
  if (jobType === undefined || !isKnownJobType(jobType)) {
    const why = jobType === undefined ? 'is not a task this register knows' : 'is not supported by this register yet (no correction of returns in the job contract)';
    return { kind: 'invalid', task: type, problems: [{ path: `${path}.type`, message: `"${type}" ${why}; supported: ${SUPPORTED_TASKS.join(', ')}` }] };
  }
  const problems: Problem[] = [];
  const job: Json = { version: 1, type: jobType, ...operator(raw, path, problems) };
  const itemIndex = Array.isArray(raw['items']) ? raw['items'].flatMap((it, i) => (isPosition(it) ? [i] : [])) : [];
  if (type === 'sell' || type === 'sellReturn' || type === 'buy' || type === 'buyReturn') job['receipt'] = receipt(raw, path, ctx, problems);
  else if (jobType.endsWith('_correction')) job['correction'] = { ...receipt(raw, path, ctx, problems), correction_info: correctionInfo(raw, path, problems) };
  if (problems.length > 0) return { kind: 'invalid', task: type, problems };
  return { kind: 'job', task: type, job, itemIndex };
}

function isKnownJobType(t: string | undefined): boolean {
  return (JOB_TYPES as readonly string[]).includes(t ?? '');
}

/** `operator` {name, vatin} → cashier, cashier_inn (1021, 1203). */
function operator(raw: Json, path: string, problems: Problem[]): Json {
  const op = raw['operator'];
  if (op === undefined) return {};
  if (!isObject(op) || typeof op['name'] !== 'string') {
    problems.push({ path: `${path}.operator.name`, message: 'is required with operator (the cashier, 1021)' });
    return {};
  }
  return { cashier: op['name'], ...(op['vatin'] !== undefined ? { cashier_inn: op['vatin'] } : {}) };
}

function receipt(raw: Json, path: string, ctx: ValidationContext, problems: Problem[]): Json {
  const out: Json = {};
  const sno = raw['taxationType'] === undefined ? (ctx.taxSystems.length === 1 ? ctx.taxSystems[0] : undefined) : TAXATION[String(raw['taxationType'])];
  if (sno === undefined) {
    const given = raw['taxationType'] === undefined ? 'is required: the register is registered for several tax systems' : `"${String(raw['taxationType'])}" is not one of ${Object.keys(TAXATION).join(', ')}`;
    problems.push({ path: `${path}.taxationType`, message: given });
  }
  const company = isObject(raw['companyInfo']) ? raw['companyInfo'] : {};
  const place = raw['paymentsAddress'] ?? raw['paymentsPlace'] ?? ctx.address;
  out['company'] = { inn: company['vatin'] ?? ctx.inn, payment_address: place, ...(sno !== undefined ? { sno } : {}), ...(company['email'] !== undefined ? { email: company['email'] } : {}) };
  const client = isObject(raw['clientInfo']) ? raw['clientInfo'] : undefined;
  if (client) {
    const contact = client['emailOrPhone'];
    out['client'] = {
      ...(typeof contact === 'string' ? (contact.includes('@') ? { email: contact } : { phone: contact }) : {}),
      ...(client['name'] !== undefined ? { name: client['name'] } : {}),
      ...(client['vatin'] !== undefined ? { inn: client['vatin'] } : {}),
    };
  }
  if (raw['electronically'] === true) out['internet'] = true;
  const items = Array.isArray(raw['items']) ? raw['items'] : [];
  // Only positions are goods; text, barcode and picture items are print decoration the register does not print.
  const positions = items.map((it, i) => [it, i] as const).filter(([it]) => isPosition(it));
  if (positions.length === 0) problems.push({ path: `${path}.items`, message: 'needs at least one item of type "position"' });
  out['items'] = positions.map(([it, i]) => position(it as Json, `${path}.items[${i}]`, problems));
  const payments = Array.isArray(raw['payments']) ? raw['payments'] : [];
  if (payments.length === 0) problems.push({ path: `${path}.payments`, message: 'needs at least one payment' });
  out['total'] = raw['total'] ?? totalOf(out['items'] as Json[]);
  out['payments'] = withoutChange(
    payments.map((p, i) => payment(p, `${path}.payments[${i}]`, problems)),
    out['total'],
  );
  return out;
}

/**
 * Cash handed over beyond the total is change, as the ATOL driver counts it: the receipt
 * records the cash that stays (Σ payments = total, fiscal-spec §2.3). Only cash gives change;
 * any other excess is left for the intake to refuse.
 */
function withoutChange(payments: Json[], total: unknown): Json[] {
  const totalK = kopecksOf(total);
  const sums = payments.map((p) => kopecksOf(p['sum']));
  if (totalK === undefined || sums.some((k) => k === undefined)) return payments;
  const change = sum(sums as number[]) - totalK;
  const cash = payments.findIndex((p) => p['type'] === 0);
  const cashK = sums[cash];
  if (change <= 0 || cash < 0 || cashK === undefined || cashK < change) return payments;
  const left = cashK - change;
  const out = payments.map((p, i) => (i === cash ? { ...p, sum: rubles(left) } : p));
  return left === 0 ? out.filter((_p, i) => i !== cash) : out;
}

function kopecksOf(v: unknown): number | undefined {
  if (typeof v !== 'number') return undefined;
  const k = rublesToKopecks(v);
  return k.ok ? k.value : undefined;
}

function rubles(kopecks: number): number {
  return Number(`${Math.trunc(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`);
}

function position(it: Json, path: string, problems: Problem[]): Json {
  const tax = isObject(it['tax']) ? it['tax'] : {};
  // Through the rate table: the ATOL driver's ids are the table's (vat20, vat10, vat120, vat110, vat0, none).
  const rate = typeof tax['type'] === 'string' ? vatRate(tax['type']) : undefined;
  if (!rate) problems.push({ path: `${path}.tax.type`, message: `${tax['type'] === undefined ? 'is required' : `"${String(tax['type'])}" is not a rate this register has`}; one of ${VAT_RATES.map((r) => r.id).join(', ')}` });
  const method = it['paymentMethod'];
  const methodId = typeof method === 'string' ? snake(method) : undefined;
  if (!methodId || !PAYMENT_METHODS.some((m) => m.id === methodId)) problems.push({ path: `${path}.paymentMethod`, message: `${method === undefined ? 'is required (1214; the register does not guess it)' : `"${String(method)}" is unknown`}; one of ${PAYMENT_METHODS.map((m) => camel(m.id)).join(', ')}` });
  const object = it['paymentObject'] ?? 'commodity';
  const objectId = typeof object === 'number' ? object : typeof object === 'string' ? (PAYMENT_OBJECT_NAMES[object] ?? snake(object)) : undefined;
  if (typeof objectId === 'string' && !PAYMENT_OBJECTS.some((o) => o.id === objectId)) problems.push({ path: `${path}.paymentObject`, message: `"${String(object)}" is unknown` });
  const unit = it['measurementUnit'];
  return {
    name: it['name'],
    price: it['price'],
    quantity: it['quantity'],
    sum: it['amount'],
    measure: unit === undefined ? 0 : unit,
    payment_method: methodId,
    payment_object: objectId,
    vat: { type: rate?.id ?? tax['type'], ...(tax['sum'] !== undefined ? { sum: tax['sum'] } : {}) },
  };
}

function payment(p: unknown, path: string, problems: Problem[]): Json {
  if (!isObject(p)) {
    problems.push({ path, message: 'a payment is {type, sum}' });
    return {};
  }
  const id = PAYMENT_TYPE[String(p['type'])];
  const type = PAYMENT_TYPES.find((t) => t.id === id)?.type;
  if (type === undefined) problems.push({ path: `${path}.type`, message: `"${String(p['type'])}" is not one of cash, electronically, prepaid, credit, other (or 0–4)` });
  return { type, sum: p['sum'] };
}

/** `correctionType`, `correctionBaseDate` ("yyyy.mm.dd"), `correctionBaseNumber` → correction_info (1173, 1178, 1179). */
function correctionInfo(raw: Json, path: string, problems: Problem[]): Json {
  const date = raw['correctionBaseDate'];
  const m = typeof date === 'string' ? /^(\d{4})\.(\d{2})\.(\d{2})$/.exec(date) : null;
  if (!m) problems.push({ path: `${path}.correctionBaseDate`, message: 'is required, as "yyyy.mm.dd"' });
  return {
    type: raw['correctionType'] ?? 'self',
    ...(m ? { base_date: `${m[3]}.${m[2]}.${m[1]}` } : {}),
    ...(raw['correctionBaseNumber'] !== undefined ? { base_number: raw['correctionBaseNumber'] } : {}),
  };
}

/** Without `total` the ATOL driver takes the sum of the positions: in kopecks, never in floating point. */
function totalOf(items: readonly Json[]): unknown {
  const kopecks: number[] = [];
  for (const it of items) {
    if (typeof it['sum'] !== 'number') return undefined;
    const k = rublesToKopecks(it['sum']);
    if (!k.ok) return undefined;
    kopecks.push(k.value);
  }
  return rubles(sum(kopecks));
}

function isPosition(it: unknown): boolean {
  return isObject(it) && (it['type'] === 'position' || it['type'] === undefined);
}

/** Job field → the task field it came from (planTask's mapping, read backwards). */
const TASK_FIELDS: readonly (readonly [string, string])[] = [
  ['cashier_inn', 'operator.vatin'],
  ['cashier', 'operator.name'],
  ['internet', 'electronically'],
  ['company.sno', 'taxationType'],
  ['company.payment_address', 'paymentsAddress'],
  ['company.inn', 'companyInfo.vatin'],
  ['company.email', 'companyInfo.email'],
  ['client.email', 'clientInfo.emailOrPhone'],
  ['client.phone', 'clientInfo.emailOrPhone'],
  ['client.name', 'clientInfo.name'],
  ['client.inn', 'clientInfo.vatin'],
  ['client', 'clientInfo'],
  ['correction_info.base_date', 'correctionBaseDate'],
  ['correction_info.base_number', 'correctionBaseNumber'],
  ['correction_info.type', 'correctionType'],
];
const ITEM_FIELDS: readonly (readonly [string, string])[] = [
  ['sum', 'amount'],
  ['payment_method', 'paymentMethod'],
  ['payment_object', 'paymentObject'],
  ['measure', 'measurementUnit'],
  ['vat', 'tax'],
];

/**
 * The path of a problem the job contract found (`receipt.items[0].sum`), as the task's own
 * (`request[2].items[1].amount`): the retail program fixes what it sent, not what it became.
 */
export function taskPath(jobPath: string, taskPrefix: string, itemIndex: readonly number[]): string {
  const inner = jobPath.replace(/^(receipt|correction)(\.|$)/, '');
  const item = /^items\[(\d+)\](?:\.(.*))?$/.exec(inner);
  if (item) {
    const j = itemIndex[Number(item[1])] ?? Number(item[1]);
    const tail = item[2] === undefined ? '' : `.${rename(item[2], ITEM_FIELDS)}`;
    return `${taskPrefix}.items[${j}]${tail}`;
  }
  return inner === '' ? taskPrefix : `${taskPrefix}.${rename(inner, TASK_FIELDS)}`;
}

function rename(path: string, table: readonly (readonly [string, string])[]): string {
  for (const [from, to] of table) if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) return to + path.slice(from.length);
  return path;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camel(id: string): string {
  return id.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
