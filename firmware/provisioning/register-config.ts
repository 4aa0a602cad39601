/**
 * The configuration a register runs with (issue 12 §1–2):
 *
 *   hand-written config ───────────────────────────────┐
 *   factory config (has `claim`) + identity.json ──────┼─► laid under the stored profile ─► parseConfig
 *                     └ no identity yet: claim first ──┘
 *
 * One schema and one parser for all of them (config/parse-config.ts), so a profile's
 * problems carry the same paths as a config file's. A factory config is checked against
 * the same schema, with only `version` and `claim` required.
 */
import { existsSync } from 'node:fs';
import { ConfigError, parseConfig, problemOf, UNION_DEFAULTS, urlCredentialProblems } from '../config/parse-config.ts';
import type { ClaimConfig, DeviceConfig, FnConfig } from '../config/device-config.ts';
import type { LogLevel } from '../core/log.ts';
import { validate as validateFactory } from './factory-validator.ts';
import { IdentityStore, type Identity } from './identity-store.ts';
import { overlayProfile, ProfileStore } from './profile-store.ts';

export type RawConfig = Readonly<Record<string, unknown>>;

export function dataDirOf(raw: RawConfig): string {
  return typeof raw['dataDir'] === 'string' ? raw['dataDir'] : '.kassa';
}

export function isFactoryConfig(raw: RawConfig): boolean {
  return raw['claim'] !== undefined;
}

export function parseRaw(text: string, source: string): RawConfig {
  try {
    const raw = JSON.parse(text) as unknown;
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as RawConfig;
  } catch (e) {
    throw new ConfigError(source, [{ path: '', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  throw new ConfigError(source, [{ path: '', message: 'not a JSON object' }]);
}

/** Checks a factory config (the shared schema; `claim` and the cloud key required); returns it with defaults filled. */
export function checkFactoryConfig(raw: RawConfig, source: string): FactoryConfig {
  const copy = JSON.parse(JSON.stringify(raw)) as Record<string, any>;
  if (!validateFactory(copy as unknown)) throw new ConfigError(source, (validateFactory.errors ?? []).map(problemOf));
  if (typeof copy['security']['cloudPublicKey'] !== 'string') throw new ConfigError(source, [{ path: 'security.cloudPublicKey', message: 'a factory config pins the cloud key' }]);
  const credentials = urlCredentialProblems('claim.url', copy['claim']?.['url']);
  if (credentials.length > 0) throw new ConfigError(source, credentials);
  const fn = copy['fn'] as Record<string, unknown>;
  for (const [k, v] of Object.entries(UNION_DEFAULTS[`fn:${String(fn['kind'])}`] ?? {})) fn[k] ??= v;
  return copy as unknown as FactoryConfig;
}

/** What the claim needs of a factory config, defaults filled. */
export interface FactoryConfig {
  readonly dataDir: string;
  readonly claim: ClaimConfig;
  readonly security: { readonly cloudPublicKey: string };
  readonly fn: FnConfig;
  readonly log: { readonly level: LogLevel };
}

/** The base config of a provisioned register: the factory's board keys, its identity; never the claim credential. */
export function identityConfig(factory: RawConfig, identity: Identity, store: IdentityStore): Record<string, unknown> {
  const hasCa = existsSync(store.files.caFile);
  const { claim: _claim, ...board } = factory;
  const mqtt = (board['mqtt'] as Record<string, unknown> | undefined) ?? {};
  const f = store.files;
  // The certificate is the register's identity over TLS; over plain TCP (the embedded broker of
  // `kassa cloud demo`) it is not sent, and MQTT.js would otherwise switch the link to TLS.
  const tls = /^(mqtts|ssl|wss):/.test(identity.brokerUrl) ? { ...(hasCa ? { caFile: f.caFile } : {}), certFile: f.certFile, keyFile: f.keyFile } : {};
  return {
    ...board,
    deviceId: identity.deviceId,
    mqtt: { ...mqtt, broker: { kind: 'external', url: identity.brokerUrl, ...tls }, topicPrefix: identity.topicPrefix },
    security: { ...(board['security'] as object), cloudPublicKey: identity.cloudPublicKey },
  };
}

export interface ResolvedConfig {
  readonly config: DeviceConfig;
  /** The raw base the profile is laid over (to check a new profile against). */
  readonly base: Record<string, unknown>;
  readonly profileVersion: number | undefined;
  readonly provisioned: 'by hand' | 'by claim';
}

/** The config of a register whose identity is settled (hand-written, or factory + identity). */
export function resolveConfig(raw: RawConfig, source: string): ResolvedConfig {
  const dataDir = dataDirOf(raw);
  const profile = new ProfileStore(dataDir).load();
  let base: Record<string, unknown>;
  if (isFactoryConfig(raw)) {
    checkFactoryConfig(raw, source);
    const store = new IdentityStore(dataDir);
    const identity = store.load();
    if (!identity) throw new ConfigError(source, [{ path: 'claim', message: 'the register is not provisioned yet: it must claim its identity first' }]);
    base = identityConfig(raw, identity, store);
  } else base = { ...raw };
  const config = parseConfig(JSON.stringify(overlayProfile(base, profile?.profile)), profile ? `${source} + profile v${profile.version}` : source);
  return { config, base, profileVersion: profile?.version, provisioned: isFactoryConfig(raw) ? 'by claim' : 'by hand' };
}
