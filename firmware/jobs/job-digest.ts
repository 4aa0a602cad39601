/**
 * What identifies a job's content: the payload's value with its keys sorted, so JSON and
 * CBOR and any key order of one job are the same job, and anything else under a known id is
 * another job. It does not depend on the register's settings (a changed default cashier
 * must not turn a retry into a conflict). 16 bytes of SHA-256 keep the ledger small
 * (DESIGN.md §1 invariant 7). Journals keep these digests for `journal.keepDays`: the bytes
 * hashed must never change between versions.
 */
import { createHash } from 'node:crypto';

/** `value`: in the JSON data model (decode-payload.ts); the digest of its canonical JSON, base64, 22 characters. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64').slice(0, 22);
}

/**
 * The canonical JSON text of `value`: JSON.stringify's, with the keys of every object in
 * sorted order (Array.prototype.sort's, by UTF-16 code units).
 *
 * Built by JSON.stringify itself, given every key of the value, sorted, as its property list
 * (ECMA-262 §25.5.2: with a list, each object's properties are written in the list's order,
 * those it lacks skipped): a job's value is walked once in JavaScript and written natively,
 * about 5× less CPU than building the text key by key (issue 9 §5). The list is read with
 * [[Get]], so a key that Object.prototype also has (`__proto__`, `constructor`, …) would find
 * the prototype's in objects without it: such a value takes the key-by-key way.
 */
export function canonicalJson(value: unknown): string {
  const keys = new Set<string>();
  if (!collectKeys(value, keys)) return keyByKey(value);
  return JSON.stringify(value, [...keys].sort()) ?? 'null';
}

/** Adds every object key in `v` to `keys`; false when one of them is also a key of Object.prototype. */
function collectKeys(v: unknown, keys: Set<string>): boolean {
  if (Array.isArray(v)) {
    for (const item of v) if (!collectKeys(item, keys)) return false;
    return true;
  }
  if (typeof v !== 'object' || v === null) return true;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k in Object.prototype) return false;
    keys.add(k);
    if (!collectKeys(o[k], keys)) return false;
  }
  return true;
}

/** The same text, built key by key. */
function keyByKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(keyByKey).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${keyByKey(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
