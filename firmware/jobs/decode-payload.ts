/**
 * Payload bytes → a value in the JSON data model, or the problem that prevents it (issue 3
 * "JSON or CBOR payloads"). A payload whose first non-space byte is `{` is JSON (UTF-8);
 * anything else is CBOR (cbor-x). Never throws: broken input is a problem at path "".
 *
 * CBOR can carry what JSON cannot (byte strings, dates, big integers, NaN, undefined);
 * such a value is refused here with its path, so everything after this sees only what a
 * JSON job could have said and the two encodings of one job parse to the same job.
 */
import { Decoder } from 'cbor-x';
import type { Problem } from './job.ts';

/**
 * `value` on a failure: a CBOR map that decoded but carries values JSON cannot, so the
 * refusal can still name the job's id and type (issue 11 §3).
 */
export type Decoded = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problems: readonly Problem[]; readonly value?: unknown };

const cbor = new Decoder({ mapsAsObjects: true, useRecords: false });
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Deeper than any job can be (the schema's deepest path is 7 levels): refuse instead of walking on. */
const MAX_DEPTH = 32;
const BRACE = 0x7b;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function decodePayload(payload: Uint8Array, maxPayloadBytes: number): Decoded {
  // The limit comes first: an oversized payload is not even looked at (issue 3, "1 MB payload").
  if (payload.length > maxPayloadBytes) return fail(`the payload is ${payload.length} bytes, more than the ${maxPayloadBytes} this register accepts`);
  if (payload.length === 0) return fail('the payload is empty');
  return looksLikeJson(payload) ? decodeJson(payload) : decodeCbor(payload);
}

function looksLikeJson(payload: Uint8Array): boolean {
  let at = UTF8_BOM.every((b, i) => payload[i] === b) ? UTF8_BOM.length : 0;
  while (at < payload.length && WHITESPACE.has(payload[at] ?? 0)) at++;
  return payload[at] === BRACE;
}

function decodeJson(payload: Uint8Array): Decoded {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return fail('the payload starts like JSON but is not valid UTF-8');
  }
  try {
    // JSON.parse yields only JSON values; very deep nesting throws RangeError, caught here.
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return fail(`the payload is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function decodeCbor(payload: Uint8Array): Decoded {
  let value: unknown;
  try {
    value = cbor.decode(payload) as unknown;
  } catch (err) {
    return fail(`the payload is neither a JSON object (it does not start with "{") nor valid CBOR (${err instanceof Error ? err.message : String(err)})`);
  }
  const problems: Problem[] = [];
  checkJsonModel(value, '', 0, problems);
  return problems.length > 0 ? { ok: false, problems, value } : { ok: true, value };
}

/** Reports every CBOR value that JSON could not carry, with its path. */
function checkJsonModel(value: unknown, path: string, depth: number, problems: Problem[]): void {
  if (depth > MAX_DEPTH) {
    problems.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) problems.push({ path, message: `${value} is not a number JSON can carry` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonModel(v, `${path}[${i}]`, depth + 1, problems));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkJsonModel(v, path ? `${path}.${k}` : k, depth + 1, problems);
    return;
  }
  problems.push({ path, message: `a CBOR ${describe(value)} has no JSON equivalent; send a string, number, boolean, null, array or map` });
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return 'integer beyond 2^53';
  if (value instanceof Uint8Array) return 'byte string';
  if (value instanceof Date) return 'date (tag 0/1)';
  if (typeof value === 'object' && value !== null) return `${(value.constructor as { name?: string } | undefined)?.name ?? 'tagged'} value`;
  return typeof value;
}

function fail(message: string): Decoded {
  return { ok: false, problems: [{ path: '', message }] };
}
