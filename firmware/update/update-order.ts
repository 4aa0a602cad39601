/**
 * The body of a signed `update` command (issue 14 §2), parsed. The signature, the device id,
 * the sequence number and the time window are the command envelope's (firmware/security/);
 * this is what the cloud orders inside it:
 *
 *   { "version": "0.2.0", "size": 1123456, "sha256": "<hex>", "chunkSize": 65536,
 *     "chunks": ["<hex sha256 of chunk 0>", …], "force": false, "switchAt": "idle" }
 *
 * The per-chunk hashes are signed with the order, so each chunk is checked as it arrives and a
 * tampered one is refused before anything is written past it.
 */
import { UpdateError } from './update-error.ts';

export type SwitchAt = 'idle' | 'shift_close';

export interface UpdateOrder {
  /** The command's id: results and the chunk transfer name it. */
  readonly id: string;
  readonly version: string;
  /** Bytes of the release package. */
  readonly size: number;
  /** Hex SHA-256 of the whole package. */
  readonly sha256: string;
  readonly chunkSize: number;
  /** Hex SHA-256 of each chunk, in order. */
  readonly chunks: readonly string[];
  /** Install even when the version is not newer (a deliberate downgrade). */
  readonly force: boolean;
  /** When to switch: as soon as no document is in the FN and nothing waits to print, or at the next shift close. */
  readonly switchAt: SwitchAt;
}

export const CHUNK_SIZE = { min: 4096, max: 262_144 } as const;
const HEX256 = /^[0-9a-f]{64}$/;
const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/;

/** Compares `x.y.z[-pre]` versions: negative, zero or positive. A pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION.exec(a);
  const pb = VERSION.exec(b);
  if (!pa || !pb) throw new UpdateError('malformed', `not a version: "${pa ? b : a}"`);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  if (pa[4] === pb[4]) return 0;
  if (pa[4] === undefined) return 1;
  if (pb[4] === undefined) return -1;
  return pa[4] < pb[4] ? -1 : 1;
}

/**
 * Reads an order from a verified command's body.
 * @throws UpdateError `malformed` (naming the field), `too_large`, or `not_newer` (unless `force`).
 */
export function parseUpdateOrder(id: string, body: Readonly<Record<string, unknown>>, running: string, maxBytes: number): UpdateOrder {
  const bad = (field: string, why: string): never => {
    throw new UpdateError('malformed', `update ${id}: ${field} ${why}`);
  };
  const { version, size, sha256, chunkSize, chunks, force = false, switchAt = 'idle' } = body;
  if (typeof version !== 'string' || !VERSION.test(version)) bad('version', 'must be x.y.z');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) bad('size', 'must be a positive whole number of bytes');
  if (typeof sha256 !== 'string' || !HEX256.test(sha256)) bad('sha256', 'must be 64 lowercase hex digits');
  if (typeof chunkSize !== 'number' || !Number.isSafeInteger(chunkSize) || chunkSize < CHUNK_SIZE.min || chunkSize > CHUNK_SIZE.max) bad('chunkSize', `must be ${CHUNK_SIZE.min}…${CHUNK_SIZE.max} bytes`);
  if (!Array.isArray(chunks) || !chunks.every((c) => typeof c === 'string' && HEX256.test(c))) bad('chunks', 'must be a list of hex SHA-256');
  if (typeof force !== 'boolean') bad('force', 'must be true or false');
  if (switchAt !== 'idle' && switchAt !== 'shift_close') bad('switchAt', 'must be "idle" or "shift_close"');
  const order: UpdateOrder = { id, version: version as string, size: size as number, sha256: sha256 as string, chunkSize: chunkSize as number, chunks: chunks as string[], force: force as boolean, switchAt: switchAt as SwitchAt };
  if (order.chunks.length !== Math.ceil(order.size / order.chunkSize)) bad('chunks', `must hold ${Math.ceil(order.size / order.chunkSize)} hashes for ${order.size} bytes in chunks of ${order.chunkSize}`);
  if (order.size > maxBytes) throw new UpdateError('too_large', `update ${id}: ${order.size} bytes is more than the ${maxBytes} this register accepts`);
  if (!order.force && compareVersions(order.version, running) <= 0) {
    throw new UpdateError('not_newer', `update ${id}: version ${order.version} is not newer than the running ${running} (send it with force to go back)`);
  }
  return order;
}
