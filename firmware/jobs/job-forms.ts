/**
 * The whole requests clouds already make (issue 11): a Sberbank register.do / refund.do
 * request under `sberbank_request`, an ATOL Online v4 or v5 request body under
 * `atol_request`. Each is translated here into the contract's own envelope (`order_bundle`,
 * `receipt`, `correction`), which the schema and the meaning checks then read as usual;
 * the problems they find are renamed back to the paths the cloud wrote. Pure.
 */
import type { Problem, ValidationContext } from './job.ts';
import { fromAtolRequest } from './atol-request.ts';
import { fromSberbankRequest } from './sberbank-request.ts';

/** What a result echoes back to the cloud (ATOL report fields). */
export interface Echo {
  readonly external_id?: string;
  readonly callback_url?: string;
  readonly uuid?: string;
}

/** A translation: the envelope to check, and internal path prefixes → the cloud's. */
export interface Translated {
  readonly value: Record<string, unknown>;
  readonly renames: readonly (readonly [string, string])[];
  readonly echo?: Echo;
  /** False when the request could not be read far enough to check the rest (its own problems say why). */
  readonly complete?: boolean;
}

export interface Front {
  readonly value: unknown;
  readonly problems: readonly Problem[];
  readonly echo: Echo | undefined;
  /** The shape and meaning checks would only echo the problems already found. */
  readonly stop: boolean;
  /** An internal path as the cloud wrote it. */
  readonly rename: (path: string) => string;
}

const FORMS = { sberbank_request: fromSberbankRequest, atol_request: fromAtolRequest } as const;

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

/** A plain JSON object, or undefined. */
export function objectAt(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * A field that is an object or (as form encoding carries it) a JSON string of one. A string
 * that is not JSON is a problem at its path.
 */
export function objectOrJson(v: unknown, path: string, problems: Problem[]): Record<string, unknown> | undefined {
  if (typeof v !== 'string') {
    const o = objectAt(v);
    if (!o) problems.push({ path, message: 'must be an object or its JSON text' });
    return o;
  }
  try {
    const o = objectAt(JSON.parse(v) as unknown);
    if (!o) problems.push({ path, message: 'is JSON text but not of an object' });
    return o;
  } catch (e) {
    problems.push({ path, message: `is a string but not JSON: ${e instanceof Error ? e.message : String(e)}` });
    return undefined;
  }
}
