/**
 * The identity and profile on disk (issue 12 §1–2): owner-only, identity.json as the commit
 * point, the same key after a restart; a factory config checked with the config's schema and
 * paths; the profile laid over the base config and parsed like a config file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../firmware/config/parse-config.ts';
import { writeFileAtomicSync } from '../../firmware/core/atomic-file.ts';
import { IdentityStore, type Identity } from '../../firmware/provisioning/identity-store.ts';
import { overlayProfile, ProfileStore, profileKeyProblems } from '../../firmware/provisioning/profile-store.ts';
import { checkFactoryConfig, resolveConfig } from '../../firmware/provisioning/register-config.ts';

const it = suite('provisioning: identity and profile on disk');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'kassa-prov-'));
const KEY = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';
const identity: Identity = { version: 1, deviceId: 'shop-1', brokerUrl: 'mqtts://broker:8883', topicPrefix: 'kassa/shop-1', cloudPublicKey: KEY, claimId: 'claim-1', requestId: 'r-1', provisionedAt: 0 };
const registration = { inn: '7707083893', kktSerial: '00000000381001234567', address: 'г. Москва', taxSystems: ['osn'], ofdInn: '7704211201' };

it('the key is made once and kept; identity.json is the commit point; every file 0600 in a 0700 folder', () => {
  const dir = tmp();
  try {
    const store = new IdentityStore(dir);
    const key = store.deviceKey();
    assert.equal(store.deviceKey(), key, 'the same key after a restart');
    assert.is(store.load(), undefined);
    // A power cut after the certificate but before identity.json: still unprovisioned.
    writeFileAtomicSync(store.files.certFile, 'CERT');
    assert.is(store.load(), undefined);
    store.save(identity, 'CERT', 'CA');
    assert.equal(store.load(), identity);
    assert.is(statSync(store.dir).mode & 0o777, 0o700);
    for (const f of readdirSync(store.dir)) assert.is(statSync(join(store.dir, f)).mode & 0o777, 0o600, f);
    assert.not.ok(readdirSync(store.dir).some((f) => f.endsWith('.tmp')), 'no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a factory config: the same schema and paths; claim and the cloud key required', () => {
  const bad = (raw: Record<string, unknown>): string[] => {
    try {
      checkFactoryConfig(raw, 'factory');
      return [];
    } catch (e) {
      return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  assert.equal(bad({ version: 1, claim: { url: 'mqtts://x:8883', kktSerial: '1' }, security: { cloudPublicKey: KEY } }), []);
  assert.equal(bad({ version: 1, claim: { url: 'http://x', kktSerial: 'abc' }, security: {} }).sort(), ['claim.kktSerial: must match pattern "^\\d{1,20}$"', 'claim.url: must match pattern "^(mqtts?|ssl|tcp)://"'].sort());
  assert.equal(bad({ version: 1, security: { cloudPublicKey: KEY } }), ['claim: is required']);
  // The claim URL is logged: its credentials go in claim.username / claim.password.
  assert.equal(bad({ version: 1, claim: { url: 'mqtts://batch7:s3cret@claim.example.ru:8883', kktSerial: '1' }, security: { cloudPublicKey: KEY } }), ['claim.url: carries a user name or password: give them as the username and password keys beside it (a URL is shown in the log and the status)']);
  const f = checkFactoryConfig({ version: 1, claim: { url: 'mqtts://x:8883', kktSerial: '1' }, security: { cloudPublicKey: KEY } }, 'factory');
  assert.is(f.claim.topicPrefix, 'kassa-claim');
  assert.is(f.fn.kind, 'emulator');
});

it('a provisioned register: factory + identity + profile → one config; never the claim credential', () => {
  const dir = tmp();
  try {
    const factory = { version: 1, dataDir: dir, claim: { url: 'mqtts://claim:8883', kktSerial: '1', certFile: '/etc/claim.pem', keyFile: '/etc/claim.key' }, security: { cloudPublicKey: KEY }, printer: { kind: 'none' } };
    assert.throws(() => resolveConfig(factory, 'factory'), /not provisioned yet/);
    new IdentityStore(dir).save(identity, 'CERT', 'CA');
    new ProfileStore(dir).save({ version: 3, profile: { registration, cashier: { name: 'Иванова' }, security: { requireSignedJobs: true } }, appliedAt: 0 });
    const { config, profileVersion, provisioned } = resolveConfig(factory, 'factory');
    assert.is(config.deviceId, 'shop-1');
    assert.is(config.mqtt.topicPrefix, 'kassa/shop-1');
    assert.equal(config.mqtt.broker, { kind: 'external', url: 'mqtts://broker:8883', caFile: join(dir, 'identity', 'ca.pem'), certFile: join(dir, 'identity', 'device.pem'), keyFile: join(dir, 'identity', 'device.key'), rejectUnauthorized: true });
    assert.is(config.security.cloudPublicKey, KEY, 'the pinned key stays');
    assert.is(config.security.requireSignedJobs, true, 'the profile sets what it may');
    assert.is(config.claim, undefined, 'no claim credential in the running config');
    assert.not.match(JSON.stringify(config), 'claim.pem');
    assert.is(profileVersion, 3);
    assert.is(provisioned, 'by claim');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('a hand-written config keeps working, with or without a profile laid over it', () => {
  const dir = tmp();
  try {
    const raw = { version: 1, deviceId: 'by-hand', dataDir: dir, registration };
    assert.is(resolveConfig(raw, 'config').config.cashier.name, 'Кассир');
    assert.is(resolveConfig(raw, 'config').provisioned, 'by hand');
    new ProfileStore(dir).save({ version: 1, profile: { cashier: { name: 'Петров' } }, appliedAt: 0 });
    assert.is(resolveConfig(raw, 'config').config.cashier.name, 'Петров');
    assert.ok(existsSync(join(dir, 'identity', 'profile.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('what a profile may not set', () => {
  assert.equal(profileKeyProblems({ cashier: {}, deviceId: 'x', mqtt: {}, security: { cloudPublicKey: 'k', requireSignedJobs: true } }).map((p) => p.path), ['deviceId', 'mqtt', 'security.cloudPublicKey']);
  assert.equal(overlayProfile({ security: { cloudPublicKey: KEY }, cashier: { name: 'a' } }, { security: { requireSignedJobs: true } }), { security: { cloudPublicKey: KEY, requireSignedJobs: true }, cashier: { name: 'a' } });
});

it.run();
