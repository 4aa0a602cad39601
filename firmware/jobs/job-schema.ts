/**
 * The shape check of a job against the published schema (schema/receipt-job.schema.json),
 * every error as a Problem whose path reads like the field the cloud wrote:
 * ajv's `/receipt/items/2/price` becomes `receipt.items[2].price` (issue 3 §2).
 *
 * The schema's `allOf` holds the rules of which body goes with which job type. ajv's
 * errors for them ("must match "then" schema", "must match exactly one schema in oneOf")
 * say little, so they are dropped here and bodyProblems() states the same rules plainly.
 */
import type { ErrorObject } from 'ajv';
import type { JobType, Problem } from './job.ts';
import { schema, validate } from './job-validator.ts';

export const JOB_SCHEMA = schema;

export function schemaProblems(value: unknown): Problem[] {
  if (validate(value)) return [];
  return errorProblems((validate.errors ?? []).filter((e) => !e.schemaPath.startsWith('#/allOf/')), '', 'is not a field of the job contract (version 1)');
}

/** ajv's errors as Problems under `prefix` (a form's own schema, sberbank-do-receipt.ts); `unknown` says what a stray field is not. */
export function errorProblems(errors: readonly ErrorObject[], prefix: string, unknown: string): Problem[] {
  return errors.map((e) => {
    const p = toProblem(e, unknown);
    return { ...p, path: prefix && p.path ? `${prefix}.${p.path}` : prefix || p.path };
  });
}

/** `/receipt/items/2/price` → `receipt.items[2].price` (RFC 6901 escapes undone). */
export function readablePath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = appendPath(path, segment);
  }
  return path;
}

function appendPath(path: string, segment: string): string {
  if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
  return path ? `${path}.${segment}` : segment;
}

function toProblem(e: ErrorObject, unknown: string): Problem {
  const at = readablePath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: appendPath(at, String(params['missingProperty'])), message: 'is required' };
    case 'additionalProperties':
      return { path: appendPath(at, String(params['additionalProperty'])), message: unknown };
    case 'type':
      return { path: at, message: `must be ${String(params['type']).replace(/,/g, ' or ')}, not ${typeName(e.data)}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'enum':
      return { path: at, message: `${JSON.stringify(e.data)} is not one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern': {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      return { path: at, message: `must be ${description ?? `text matching ${String(params['pattern'])}`}` };
    }
    default:
      return { path: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return `integer ${v}`;
  if (typeof v === 'number') return `number ${v}`;
  return typeof v;
}

// ---------------------------------------------------------------- which body goes with which type

type Body = 'receipt' | 'correction' | 'order_bundle';
/** The bodies each job type may carry (exactly one of them; none for service jobs). */
const BODIES: Readonly<Record<JobType, readonly Body[]>> = {
  sell: ['receipt', 'order_bundle'],
  sell_refund: ['receipt', 'order_bundle'],
  buy: ['receipt', 'order_bundle'],
  buy_refund: ['receipt', 'order_bundle'],
  sell_correction: ['correction'],
  buy_correction: ['correction'],
  sell_refund_correction: ['correction'],
  buy_refund_correction: ['correction'],
  open_shift: [],
  close_shift: [],
  x_report: [],
  state_report: [],
  print_copy: [],
  continue_printing: [],
};
const ALL_BODIES: readonly Body[] = ['receipt', 'correction', 'order_bundle'];

/** The schema's allOf rules, stated plainly. Reads the raw value defensively: it may be anything. */
export function bodyProblems(value: unknown): Problem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const job = value as Record<string, unknown>;
  const type = job['type'];
  if (typeof type !== 'string' || !Object.hasOwn(BODIES, type)) return [];
  const allowed = BODIES[type as JobType];
  const has = (k: string): boolean => job[k] !== undefined;
  const problems: Problem[] = [];
  for (const body of ALL_BODIES) {
    if (has(body) && !allowed.includes(body)) {
      problems.push({ path: body, message: allowed.length ? `a job of type ${type} carries ${allowed.join(' or ')}, not ${body}` : `a job of type ${type} carries no receipt` });
    }
  }
  const present = allowed.filter(has);
  if (allowed.length > 0 && present.length === 0) problems.push({ path: allowed[0] ?? '', message: `a job of type ${type} needs ${allowed.join(' or ')}` });
  if (present.length > 1) problems.push({ path: present[1] ?? '', message: `give either ${present.join(' or ')}, not both` });
  if (allowed.length === 0 && has('internet')) problems.push({ path: 'internet', message: `a job of type ${type} makes no receipt to send electronically` });
  if (has('fd') && type !== 'print_copy') problems.push({ path: 'fd', message: `goes only with print_copy (the FD to copy); a job of type ${type} takes none` });
  if (has('order_bundle')) {
    if (!has('company')) problems.push({ path: 'company', message: 'is required with order_bundle (the seller: inn, payment_address, sno)' });
  } else {
    for (const k of ['company', 'client', 'cashless_payments']) if (has(k)) problems.push({ path: k, message: `goes only with order_bundle; an ATOL receipt carries its own ${k}` });
  }
  return problems;
}
