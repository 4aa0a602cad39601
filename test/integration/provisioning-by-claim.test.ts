/**
 * Issue 12 §1 with real processes: `kassa run` on a factory config (claim endpoint, the
 * batch's claim certificate, the cloud key — nothing else) against a TLS mosquitto with the
 * shipped ACL. The board generates its key, claims with a CSR, stores its identity
 * owner-only, reconnects as itself, registers its FN from the profile and sells; a restart
 * does not claim again; a power cut while the claim is unanswered ends in the same identity.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tlsOptions } from '../../firmware/cli/cloud-link.ts';
import type { CrashPoint } from '../../firmware/core/crash-point.ts';
import { certificateFacts, generateKeyPair, makeCsr } from '../../firmware/provisioning/x509.ts';
import mqtt from 'mqtt';
import { startClaimRig, type ClaimRig } from '../helpers/claim-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';

const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
const until = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const it = suite<{ rig?: ClaimRig; jobs?: Cloud }>('provisioning by claim (real processes, TLS mosquitto)', {});

it.after.each(async (ctx) => {
  await ctx.jobs?.close();
  await ctx.rig?.close();
  delete ctx.jobs;
  delete ctx.rig;
});

it('a fresh register: factory config → claim with a CSR → identity owner-only → its own certificate → FN registered → first receipt', async (ctx) => {
  const rig = (ctx.rig = await startClaimRig('shop-1-kassa-1'));
  rig.startRuntime();
  const jobs = (ctx.jobs = await connectCloud(rig.broker.url, 'kassa/shop-1-kassa-1', 'cloud-jobs', undefined, tlsOptions(rig.cloudTls)));
  await jobs.online(30_000);

  const [request] = rig.answerer.requests;
  assert.ok(request, 'the board announced itself');
  assert.is(request.kktSerial, '00000000381001234567');
  assert.is(request.fn.number, '9999078900005488');
  assert.is(request.fn.phase, 1, 'an unregistered FN');
  assert.match(request.firmware, /^\d+\.\d+\.\d+/);
  assert.match(request.csr, /BEGIN CERTIFICATE REQUEST/);
  assert.not.match(JSON.stringify(request), /PRIVATE KEY/, 'the private key never travels');

  const idDir = join(rig.dataDir, 'identity');
  assert.is(statSync(idDir).mode & 0o777, 0o700);
  for (const f of readdirSync(idDir)) assert.is(statSync(join(idDir, f)).mode & 0o777, 0o600, f);
  const identity = JSON.parse(readFileSync(join(idDir, 'identity.json'), 'utf8')) as Record<string, unknown>;
  assert.is(identity['deviceId'], 'shop-1-kassa-1');
  assert.not.match(JSON.stringify(identity), /claim\.pem|claim\.key|PRIVATE/, 'the identity names no claim credential');
  const cert = certificateFacts(readFileSync(join(idDir, 'device.pem'), 'utf8'));
  assert.is(cert.commonName, 'shop-1-kassa-1');
  assert.ok(cert.forKey(request.publicKey), 'the certificate is for the key the board generated');
  assert.ok(await cert.issuedBy(rig.broker.ca.certPem));

  await jobs.publish(JSON.stringify({ ...sample, id: 'claim-first-sale' }));
  const r = await jobs.final('claim-first-sale', 30_000);
  assert.is(r.status, 'done', JSON.stringify(r.error));
  assert.is(r.payload?.fiscal_document_number, 3, 'registration (1), shift open (2), the receipt (3)');

  // A restart: no second claim, the same identity, online as itself.
  await rig.killRuntime('SIGTERM');
  const before = readFileSync(join(idDir, 'identity.json'), 'utf8');
  rig.startRuntime();
  await jobs.publish(JSON.stringify({ ...sample, id: 'claim-second-sale' }));
  assert.is((await jobs.final('claim-second-sale', 30_000)).status, 'done');
  assert.is(rig.answerer.requests.length, 1, 'a provisioned register does not claim again');
  // A claim answer sent to a provisioned register changes nothing.
  await rig.cloud.command('kassa-claim/claim-00000000381001234567/answer', rig.cloudKey.privateKey, 'claim-00000000381001234567', 'claim_accepted', { requestId: request.requestId, deviceId: 'hijacked' });
  await new Promise((res) => setTimeout(res, 500));
  assert.is(readFileSync(join(idDir, 'identity.json'), 'utf8'), before);
});

it('another board of the batch cannot take a claimed serial: not under its own claim id, not under the victim’s with its own key', async (ctx) => {
  const rig = (ctx.rig = await startClaimRig('shop-1-kassa-1'));
  rig.startRuntime();
  const jobs = (ctx.jobs = await connectCloud(rig.broker.url, 'kassa/shop-1-kassa-1', 'cloud-jobs', undefined, tlsOptions(rig.cloudTls)));
  await jobs.online(30_000);
  const victim = rig.answerer.requests[0];
  assert.ok(victim);
  // The attacker holds the batch's claim certificate, as every board does, and a key of its own.
  const claimTls = await rig.broker.client('claim');
  const keys = generateKeyPair();
  const answerTo = async (claimId: string): Promise<{ type: string; body: Record<string, unknown> }> => {
    const c = await mqtt.connectAsync(rig.broker.url, { clientId: claimId, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...tlsOptions(claimTls) });
    try {
      const answer = new Promise<{ type: string; body: Record<string, unknown> }>((resolve) => {
        c.on('message', (_t, m) => {
          const envelope = JSON.parse(m.toString()) as { payload: string };
          resolve(JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8')) as { type: string; body: Record<string, unknown> });
        });
      });
      await c.subscribeAsync(`kassa-claim/${claimId}/answer`, { qos: 1 });
      const request = { ...victim, requestId: `attack-${claimId}`, claimId, publicKey: keys.publicKeyPem, csr: await makeCsr(keys, claimId) };
      await c.publishAsync(`kassa-claim/${claimId}/request`, JSON.stringify(request), { qos: 1 });
      return await answer;
    } finally {
      await c.endAsync();
    }
  };
  const elsewhere = await answerTo('claim-99999999999999999999');
  assert.is(elsewhere.type, 'claim_rejected');
  assert.match(String(elsewhere.body['reason']), /claims as claim-<its KKT serial>/);
  const asVictim = await answerTo(victim.claimId);
  assert.is(asVictim.type, 'claim_rejected');
  assert.match(String(asVictim.body['reason']), /was claimed by another key/);
  assert.not.ok(JSON.stringify([elsewhere, asVictim]).includes('BEGIN CERTIFICATE'), 'no certificate was issued');
  // Two requests for a serial nobody claimed yet, with two keys, at once: one certificate.
  const racer = 'claim-12345678901234567890';
  const c = await mqtt.connectAsync(rig.broker.url, { clientId: racer, protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, ...tlsOptions(claimTls) });
  try {
    const types: string[] = [];
    c.on('message', (_t, m) => void types.push((JSON.parse(Buffer.from((JSON.parse(m.toString()) as { payload: string }).payload, 'base64url').toString('utf8')) as { type: string }).type));
    await c.subscribeAsync(`kassa-claim/${racer}/answer`, { qos: 1 });
    const twoKeys = [generateKeyPair(), generateKeyPair()];
    const requests = await Promise.all(twoKeys.map(async (k, i) => JSON.stringify({ ...victim, requestId: `race-${i}`, claimId: racer, kktSerial: '12345678901234567890', publicKey: k.publicKeyPem, csr: await makeCsr(k, racer) })));
    await Promise.all(requests.map((r) => c.publishAsync(`kassa-claim/${racer}/request`, r, { qos: 1 })));
    await until(() => types.length === 2, 10_000, 'both answers');
    assert.equal(types.sort(), ['claim_accepted', 'claim_rejected']);
  } finally {
    await c.endAsync();
  }
  // The real board, meanwhile, still sells as itself.
  await jobs.publish(JSON.stringify({ ...sample, id: 'after-the-attack' }));
  assert.is((await jobs.final('after-the-attack', 30_000)).status, 'done');
});

it('a power cut while the claim is unanswered: the next start claims again with the same key and completes', async (ctx) => {
  const rig = (ctx.rig = await startClaimRig('shop-2-kassa-1'));
  rig.answerer.hold = true;
  rig.startRuntime();
  // Nobody answers: the board keeps claiming (a new request each round); cut its power mid-claim.
  await until(() => rig.answerer.requests.length >= 2, 30_000, 'two claim rounds');
  await rig.killRuntime('SIGKILL');
  const idDir = join(rig.dataDir, 'identity');
  const keyBefore = readFileSync(join(idDir, 'device.key'), 'utf8');
  assert.not.ok(readdirSync(idDir).includes('identity.json'), 'not provisioned yet');
  rig.answerer.hold = false;
  rig.startRuntime();
  const jobs = (ctx.jobs = await connectCloud(rig.broker.url, 'kassa/shop-2-kassa-1', 'cloud-jobs-2', undefined, tlsOptions(rig.cloudTls)));
  await jobs.online(30_000);
  assert.is(readFileSync(join(idDir, 'device.key'), 'utf8'), keyBefore, 'the same key after the power cut');
  const requests = rig.answerer.requests;
  assert.ok(requests.length >= 3);
  assert.ok(requests.every((r) => r.publicKey === requests[0]!.publicKey), 'every round announces the same key');
  assert.is(new Set(requests.map((r) => r.requestId)).size, requests.length, 'each round has its own request id');
  await jobs.publish(JSON.stringify({ ...sample, id: 'claim-after-cut' }));
  assert.is((await jobs.final('claim-after-cut', 30_000)).status, 'done');
});

it('a power cut at each step of storing the claim answer: every restart claims again or starts as itself, with the same key, and sells', async (ctx) => {
  // KASSA_CRASH_AT (firmware/core/crash-point.ts) picks the step: each start cuts its own power at the next one.
  const rig = (ctx.rig = await startClaimRig('shop-3-kassa-1'));
  const idDir = join(rig.dataDir, 'identity');
  const files = (): string[] => (existsSync(idDir) ? readdirSync(idDir).sort() : []);
  const steps: readonly [CrashPoint, readonly string[]][] = [
    ['claim.profile-saved', ['device.key', 'profile.json']],
    ['claim.certificate-saved', ['ca.pem', 'device.key', 'device.pem', 'profile.json']],
    ['claim.identity-saved', ['ca.pem', 'device.key', 'device.pem', 'identity.json', 'profile.json']],
  ];
  let key: string | undefined;
  for (const [point, onDisk] of steps) {
    const p = rig.startRuntime({ KASSA_CRASH_AT: point });
    const signal = await new Promise<NodeJS.Signals | null>((r) => p.once('exit', (_c, s) => r(s)));
    assert.is(signal, 'SIGKILL', `the register cut its power at ${point}`);
    assert.equal(files(), onDisk, `on disk after a cut at ${point}`);
    key ??= readFileSync(join(idDir, 'device.key'), 'utf8');
    assert.is(readFileSync(join(idDir, 'device.key'), 'utf8'), key, 'the same key after every cut');
  }
  const claims = rig.answerer.requests.length;
  rig.startRuntime();
  const jobs = (ctx.jobs = await connectCloud(rig.broker.url, 'kassa/shop-3-kassa-1', 'cloud-jobs-3', undefined, tlsOptions(rig.cloudTls)));
  await jobs.online(30_000);
  assert.is(rig.answerer.requests.length, claims, 'a register provisioned before the cut claims no more');
  assert.ok(rig.answerer.requests.every((r) => r.publicKey === rig.answerer.requests[0]!.publicKey), 'every claim announced the same key');
  assert.is(certificateFacts(readFileSync(join(idDir, 'device.pem'), 'utf8')).commonName, 'shop-3-kassa-1');
  await jobs.publish(JSON.stringify({ ...sample, id: 'claim-after-cuts' }));
  assert.is((await jobs.final('claim-after-cuts', 30_000)).status, 'done');
});

it.run();
