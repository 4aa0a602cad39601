/**
 * The whole requests clouds already make (issue 11): a Sberbank register.do / refund.do
 * request under `sberbank_request`, a Sberbank partner doReceipt body under
 * `sberbank_do_receipt`, an ATOL Online v4 or v5 request body under `atol_request`. Each is translated here into the contract's own envelope (`order_bundle`,
 * `receipt`, `correction`), which the schema and the meaning checks then read as usual;
 * the problems they find are renamed back to the paths the cloud wrote. Pure.
 */
import type { Problem, ValidationContext } from './job.ts';
import type { Echo } from './job-form-kit.ts';
import { fromAtolRequest } from './atol-request.ts';
import { fromSberbankRequest } from './sberbank-request.ts';
import { fromDoReceipt } from './sberbank-do-receipt.ts';

export interface Front {
  readonly value: unknown;
  readonly problems: readonly Problem[];
  readonly echo: Echo | undefined;
  /** The shape and meaning checks would only echo the problems already found. */
  readonly stop: boolean;
  /** An internal path as the cloud wrote it. */
  readonly rename: (path: string) => string;
}

const FORMS = { sberbank_request: fromSberbankRequest, sberbank_do_receipt: fromDoReceipt, atol_request: fromAtolRequest } as const;

export function translateForms(raw: unknown, ctx: ValidationContext): Front {
  const same: Front = { value: raw, problems: [], echo: undefined, stop: false, rename: (p) => p };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return same;
  const job = raw as Record<string, unknown>;
  const uuid = typeof job['uuid'] === 'string' ? job['uuid'] : undefined;
  const problems: Problem[] = [];
  if (job['uuid'] !== undefined && (uuid === undefined || uuid.length > 64)) problems.push({ path: 'uuid', message: 'must be a string of at most 64 characters (echoed in the results)' });
  const { uuid: _uuid, ...rest } = job;
  const given = (Object.keys(FORMS) as (keyof typeof FORMS)[]).filter((k) => job[k] !== undefined);
  if (given.length > 1) problems.push({ path: given[1] ?? '', message: `give either ${given.join(' or ')}, not both` });
  const form = given[0];
  if (form === undefined || given.length > 1) return { value: rest, problems, echo: uuid !== undefined ? { uuid } : undefined, stop: given.length > 1, rename: (p) => p };
  const translated = FORMS[form](rest, ctx, problems);
  const echo = { ...translated.echo, ...(uuid !== undefined ? { uuid } : {}) };
  return { value: translated.value, problems, echo: Object.keys(echo).length ? echo : undefined, stop: translated.complete === false, rename: renamer(translated.renames) };
}

/** Longest matching prefix wins; a prefix matches the whole path or up to a `.` or `[`. */
function renamer(renames: readonly (readonly [string, string])[]): (path: string) => string {
  const sorted = [...renames].sort((a, b) => b[0].length - a[0].length);
  return (path) => {
    for (const [from, to] of sorted) {
      if (path === from || path.startsWith(`${from}.`) || path.startsWith(`${from}[`)) return to + path.slice(from.length);
    }
    return path;
  };
}
