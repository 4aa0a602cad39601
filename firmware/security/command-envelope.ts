/**
 * Signed cloud commands (issue 12 §4): an envelope in the manner of a JWS flattened JSON
 * serialization (RFC 7515 §7.2.2) with the EdDSA/Ed25519 signature of RFC 8037: the
 * signature covers the exact bytes of `payload` (base64url of the command's JSON), so no
 * canonical JSON is needed. The command inside names the device it is for, a sequence
 * number that only grows, and the time window in which it may be acted on.
 *
 * Pure: keys, the device id, the time and the highest sequence number seen come in; a
 * verdict comes out. Nothing here remembers anything (replay-guard.ts does).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface SignedEnvelope {
  readonly v: 1;
  readonly alg: 'Ed25519';
  /** base64url of the command's UTF-8 JSON. */
  readonly payload: string;
  /** base64url of the Ed25519 signature over the ASCII bytes of `payload`. */
  readonly signature: string;
}

export interface CloudCommand {
  /** The command's own id: results name it. */
  readonly id: string;
  /** The device id it is for: a command for another register is refused (§4 "bound to this device id"). */
  readonly device: string;
  /** Grows with every command the cloud sends this device; one not above the highest seen is a replay. */
  readonly seq: number;
  /** Milliseconds since the epoch: the window in which it may be acted on. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly type: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type RefusalReason = 'malformed' | 'unsigned' | 'bad_signature' | 'other_device' | 'not_yet_valid' | 'expired' | 'window_too_long' | 'replayed';

export type Verdict =
  | { readonly ok: true; readonly command: CloudCommand }
  | { readonly ok: false; readonly reason: RefusalReason; readonly message: string; readonly id?: string };

export interface VerifyOptions {
  readonly publicKey: KeyObject;
  readonly deviceId: string;
  readonly now: number;
  /** The highest sequence number already accepted (0 before the first). */
  readonly highestSeq: number;
  /** The longest window a command may carry (expiresAt − issuedAt). */
  readonly maxWindowMs: number;
  /** How far the cloud's clock may run ahead of the register's. */
  readonly clockSkewMs: number;
}

/** Defaults: a command lives at most 10 minutes; clocks may differ by a minute. */
export const COMMAND_WINDOW = { maxWindowMs: 600_000, clockSkewMs: 60_000 } as const;

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

/** A public key from config: PEM (SPKI), or the 32 raw bytes of an Ed25519 key in base64. */
export function cloudPublicKey(text: string): KeyObject {
  const t = text.trim();
  const key = t.startsWith('-----BEGIN')
    ? createPublicKey(t)
    : createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(t, 'base64').toString('base64url') }, format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`the cloud key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

/** The cloud side (kassa cloud, tests): signs a command with the cloud's Ed25519 private key. */
export function signCommand(command: CloudCommand, privateKey: KeyObject | string): SignedEnvelope {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const payload = b64u(Buffer.from(JSON.stringify(command), 'utf8'));
  return { v: 1, alg: 'Ed25519', payload, signature: b64u(sign(null, Buffer.from(payload, 'ascii'), key)) };
}

/** Opens an envelope (bytes off the wire) and says whether its command may be acted on. */
export function verifyCommand(bytes: Uint8Array, o: VerifyOptions): Verdict {
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed', message: 'not JSON' };
  }
  if (typeof envelope !== 'object' || envelope === null) return { ok: false, reason: 'malformed', message: 'not an object' };
  if (envelope['payload'] === undefined || envelope['signature'] === undefined) {
    const id = typeof envelope['id'] === 'string' ? { id: envelope['id'] } : {};
    return { ok: false, reason: 'unsigned', message: 'not a signed envelope {v, alg, payload, signature}', ...id };
  }
  const { payload, signature } = envelope;
  if (envelope['v'] !== 1 || envelope['alg'] !== 'Ed25519' || typeof payload !== 'string' || typeof signature !== 'string' || !/^[A-Za-z0-9_-]+$/.test(payload)) {
    return { ok: false, reason: 'malformed', message: 'envelope must be {v: 1, alg: "Ed25519", payload, signature} in base64url' };
  }
  // The signature first: nothing of an unsigned payload is believed, not even its id.
  let good = false;
  try {
    good = verify(null, Buffer.from(payload, 'ascii'), o.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: 'bad_signature', message: 'the signature is not the cloud key’s' };
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'malformed', message: 'payload is not JSON' };
  }
  const problem = shapeProblem(c);
  if (problem) return { ok: false, reason: 'malformed', message: problem, ...(typeof c['id'] === 'string' ? { id: c['id'] } : {}) };
  const command = c as unknown as CloudCommand;
  const id = command.id;
  if (command.device !== o.deviceId) return { ok: false, reason: 'other_device', message: `for device ${command.device}, not ${o.deviceId}`, id };
  if (command.expiresAt - command.issuedAt > o.maxWindowMs) return { ok: false, reason: 'window_too_long', message: `window ${command.expiresAt - command.issuedAt} ms exceeds ${o.maxWindowMs} ms`, id };
  if (command.issuedAt - o.clockSkewMs > o.now) return { ok: false, reason: 'not_yet_valid', message: `issued at ${new Date(command.issuedAt).toISOString()}, in the future`, id };
  if (o.now > command.expiresAt) return { ok: false, reason: 'expired', message: `expired at ${new Date(command.expiresAt).toISOString()}`, id };
  if (command.seq <= o.highestSeq) return { ok: false, reason: 'replayed', message: `sequence ${command.seq} is not above ${o.highestSeq}`, id };
  return { ok: true, command };
}

function shapeProblem(c: Record<string, unknown>): string | undefined {
  if (typeof c !== 'object' || c === null) return 'payload is not an object';
  if (typeof c['id'] !== 'string' || c['id'].length === 0 || c['id'].length > 128) return 'id: a string of 1–128 characters is required';
  if (typeof c['device'] !== 'string') return 'device: a string is required';
  if (!Number.isSafeInteger(c['seq']) || (c['seq'] as number) < 1) return 'seq: an integer ≥ 1 is required';
  if (!Number.isSafeInteger(c['issuedAt']) || !Number.isSafeInteger(c['expiresAt'])) return 'issuedAt, expiresAt: integer milliseconds are required';
  if ((c['expiresAt'] as number) < (c['issuedAt'] as number)) return 'expiresAt is before issuedAt';
  if (typeof c['type'] !== 'string') return 'type: a string is required';
  if (typeof c['body'] !== 'object' || c['body'] === null || Array.isArray(c['body'])) return 'body: an object is required';
  return undefined;
}
