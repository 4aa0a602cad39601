/**
 * Signed cloud commands (issue 12 §4): a command is acted on only when the cloud's Ed25519
 * key signed it, it names this device, its window holds now, and its sequence number is
 * above every number seen. Each way of failing is refused with its own reason.
 */
import { generateKeyPairSync } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cloudPublicKey, COMMAND_WINDOW, signCommand, verifyCommand, type CloudCommand, type VerifyOptions } from '../../firmware/security/command-envelope.ts';
import { ReplayGuard } from '../../firmware/security/replay-guard.ts';

const cloud = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const NOW = Date.UTC(2026, 10, 30, 3, 0);
const command = (over: Partial<CloudCommand> = {}): CloudCommand => ({ id: 'c-1', device: 'kassa-a', seq: 5, issuedAt: NOW - 1000, expiresAt: NOW + 60_000, type: 'settings', body: { closeAt: '22:00' }, ...over });
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({ publicKey: cloud.publicKey, deviceId: 'kassa-a', now: NOW, highestSeq: 4, ...COMMAND_WINDOW, ...over });
const wire = (x: unknown): Uint8Array => Buffer.from(JSON.stringify(x));

const Envelope = suite('command envelope');

Envelope('a signed command for this device, in its window, with a new sequence number is accepted as sent', () => {
  const v = verifyCommand(wire(signCommand(command(), cloud.privateKey)), options());
  assert.ok(v.ok);
  if (v.ok) assert.equal(v.command, command());
});

Envelope('each way of failing has its reason', () => {
  const cases: [string, Uint8Array, Partial<VerifyOptions>, string][] = [
    ['not JSON', Buffer.from('{'), {}, 'malformed'],
    ['unsigned', wire({ id: 'x', type: 'settings', body: {} }), {}, 'unsigned'],
    ['another key', wire(signCommand(command(), stranger.privateKey)), {}, 'bad_signature'],
    ['another device', wire(signCommand(command({ device: 'kassa-b' }), cloud.privateKey)), {}, 'other_device'],
    ['expired', wire(signCommand(command({ issuedAt: NOW - 120_000, expiresAt: NOW - 1 }), cloud.privateKey)), {}, 'expired'],
    ['from the future', wire(signCommand(command({ issuedAt: NOW + 120_000, expiresAt: NOW + 180_000 }), cloud.privateKey)), {}, 'not_yet_valid'],
    ['a window of a day', wire(signCommand(command({ expiresAt: NOW + 86_400_000 }), cloud.privateKey)), {}, 'window_too_long'],
    ['the same sequence number', wire(signCommand(command(), cloud.privateKey)), { highestSeq: 5 }, 'replayed'],
    ['no body', wire(signCommand({ ...command(), body: null } as unknown as CloudCommand, cloud.privateKey)), {}, 'malformed'],
  ];
  for (const [what, bytes, over, reason] of cases) {
    const v = verifyCommand(bytes, options(over));
    assert.equal(v.ok ? 'accepted' : v.reason, reason, what);
  }
});

Envelope('a payload changed after signing is refused, even by one character', () => {
  const env = signCommand(command(), cloud.privateKey);
  const forged = JSON.parse(Buffer.from(env.payload, 'base64url').toString()) as CloudCommand;
  const tampered = { ...env, payload: Buffer.from(JSON.stringify({ ...forged, device: 'kassa-a', seq: 999 })).toString('base64url') };
  const v = verifyCommand(wire(tampered), options());
  assert.equal(v.ok ? 'accepted' : v.reason, 'bad_signature');
});

Envelope('the cloud key may be given as PEM or as 32 raw bytes in base64; other key types are refused', () => {
  const pem = cloud.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const raw = Buffer.from(cloud.publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
  const env = wire(signCommand(command(), cloud.privateKey));
  assert.ok(verifyCommand(env, options({ publicKey: cloudPublicKey(pem) })).ok);
  assert.ok(verifyCommand(env, options({ publicKey: cloudPublicKey(raw) })).ok);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => cloudPublicKey(ec), /not Ed25519/);
});

Envelope.run();

const Guard = suite('replay guard');

Guard('a number is claimed once; lower numbers after it are replays; the store holds the highest', async () => {
  let stored = 0;
  const writes: number[] = [];
  const guard = new ReplayGuard({ recall: () => stored, remember: async (n) => void writes.push((stored = n)) });
  assert.equal(await Promise.all([guard.claim(3), guard.claim(3), guard.claim(2), guard.claim(7)]), [true, false, false, true]);
  assert.equal(writes, [3, 7]);
  assert.equal(guard.highest, 7);
  // A new guard over the same store (a restart) still refuses the old numbers.
  const again = new ReplayGuard({ recall: () => stored, remember: async (n) => void (stored = n) });
  assert.is(await again.claim(7), false);
});

Guard('a failed write claims nothing', async () => {
  let stored = 1;
  let fail = true;
  const guard = new ReplayGuard({ recall: () => stored, remember: async (n) => { if (fail) throw new Error('disk full'); stored = n; } });
  await guard.claim(2).then(() => assert.unreachable('should fail'), (e: Error) => assert.match(e.message, 'disk full'));
  fail = false;
  assert.is(await guard.claim(2), true);
});

Guard.run();
