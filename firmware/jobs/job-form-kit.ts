/**
 * What the whole-request forms share (firmware/jobs/job-forms.ts dispatches to atol-request.ts
 * and sberbank-request.ts): the shape of a translation and two readers. Its own file so the
 * dispatcher and the forms do not import each other (DESIGN.md §2). Pure.
 */
import type { Problem } from './job.ts';

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
