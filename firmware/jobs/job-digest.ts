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

/** The canonical JSON text of `value`: JSON.stringify's, with every object's keys in sorted order (by UTF-16 code units). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
