/**
 * Parses a device configuration once at start (DESIGN.md §3 rule 7): JSON → schema check
 * (every error with its path) → the checks a schema cannot make (INN and RNM check
 * digits, the time zone) → a typed DeviceConfig with every default filled in. Nothing is
 * coerced: "115200" is not a number.
 */
import type { ErrorObject } from 'ajv';
import { KassaError } from '../core/kassa-error.ts';
import { isKnownTimeZone } from '../core/local-time.ts';
import { isValidInn, isValidRnm, makeRnm } from '../fiscal/registration-numbers.ts';
import { validate } from './config-validator.ts';
import type { DeviceConfig, FnConfig } from './device-config.ts';

export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A configuration that does not parse: every problem, each with the path of its key. */
export class ConfigError extends KassaError {
  readonly problems: readonly ConfigProblem[];
  constructor(source: string, problems: readonly ConfigProblem[]) {
    super('CONFIG', `${source}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Defaults of the members of the `oneOf` unions, which JSON Schema cannot fill in itself. */
export const UNION_DEFAULTS: Readonly<Record<string, Record<string, unknown>>> = {
  'fn:emulator': { fnNumber: '9999078900005488', secret: 'demo-fn-secret', checkTimer: true },
  'fn:serial': { baudRate: 115200, timeoutMs: 5000, longTimeoutMs: 30000, enqRetries: 3 },
  'printer:file': { dir: 'receipts' },
  'printer:emulator': { dir: 'receipts', columns: 48 },
  'printer:serial': { baudRate: 38400, columns: 48 },
  'console:serial': { baudRate: 115200 },
  'console:tcp': { host: '127.0.0.1', port: 7323 },
  'ofd:emulator': { port: 0, documentsDir: 'ofd-documents' },
  'broker:embedded': { host: '127.0.0.1', port: 1883 },
  'broker:external': { rejectUnauthorized: true },
};

export function parseConfig(text: string, source = 'device config'): DeviceConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(source, [{ path: '', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  if (!validate(raw)) throw new ConfigError(source, (validate.errors ?? []).map(problemOf));
  const c = raw as Record<string, any>;
  fillUnion('fn', c['fn']);
  fillUnion('printer', c['printer']);
  fillUnion('console', c['console']);
  fillUnion('ofd', c['ofd']);
  fillUnion('broker', c['mqtt']?.['broker']);

  const problems: ConfigProblem[] = [];
  const reg = c['registration'] as Record<string, any>;
  if (!isValidInn(reg['inn'])) problems.push({ path: 'registration.inn', message: `INN ${reg['inn']} fails its check digits` });
  if (!isValidInn(reg['ofdInn'])) problems.push({ path: 'registration.ofdInn', message: `INN ${reg['ofdInn']} fails its check digits` });
  if (c['cashier']?.['inn'] && !isValidInn(c['cashier']['inn'])) problems.push({ path: 'cashier.inn', message: `INN ${c['cashier']['inn']} fails its check digits` });
  if (reg['rnm'] === undefined) {
    if ((c['fn'] as FnConfig).kind === 'serial') problems.push({ path: 'registration.rnm', message: 'a real FN needs the RNM the FNS issued' });
    else reg['rnm'] = makeRnm('1', reg['inn'], reg['kktSerial']);
  } else if (!isValidRnm(reg['rnm'], reg['inn'], reg['kktSerial'])) {
    problems.push({ path: 'registration.rnm', message: `RNM ${reg['rnm']} fails its check digits for INN ${reg['inn']} and KKT serial ${reg['kktSerial']}` });
  }
  if (!isKnownTimeZone(c['timeZone'])) problems.push({ path: 'timeZone', message: `"${c['timeZone']}" is not an IANA time zone` });
  if (c['mqtt']['reconnectMaxMs'] < c['mqtt']['reconnectMinMs']) problems.push({ path: 'mqtt.reconnectMaxMs', message: 'must not be less than mqtt.reconnectMinMs' });
  const api = c['localApi'] as Record<string, any>;
  // Issue 13 §1: beyond loopback, only a client with the token may use the register.
  if (api['enabled'] && !isLoopback(api['host']) && api['token'] === undefined) problems.push({ path: 'localApi.token', message: `is required when localApi.host (${api['host']}) is not a loopback address` });
  const broker = c['mqtt']['broker'];
  if (broker?.['kind'] === 'external') problems.push(...urlCredentialProblems('mqtt.broker.url', broker['url']));
  if (problems.length > 0) throw new ConfigError(source, problems);

  c['mqtt']['clientId'] ??= `kassa-${c['deviceId']}`;
  c['mqtt']['topicPrefix'] = String(c['mqtt']['topicPrefix']).replaceAll('{deviceId}', c['deviceId']);
  delete c['$schema'];
  return c as DeviceConfig;
}

/**
 * A URL is shown where a secret must not be (the start-up log, status, the console's `config`):
 * `scheme://user:pass@host…` is refused, the credentials have keys of their own, which those
 * mask. For mqtt.broker.url here and claim.url in a factory config (provisioning/register-config.ts).
 */
export function urlCredentialProblems(path: string, url: unknown): ConfigProblem[] {
  if (typeof url !== 'string') return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return []; // the schema's pattern speaks for a malformed URL
  }
  if (u.username === '' && u.password === '') return [];
  return [{ path, message: 'carries a user name or password: give them as the username and password keys beside it (a URL is shown in the log and the status)' }];
}

/** 127.0.0.0/8, ::1 and `localhost`: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::ffff:127.0.0.1';
}

function fillUnion(name: string, member: Record<string, any> | undefined): void {
  if (!member) return;
  const defaults = UNION_DEFAULTS[`${name}:${member['kind']}`] ?? {};
  for (const [k, v] of Object.entries(defaults)) member[k] ??= v;
}

/** The one ajv-error-to-path function (DESIGN.md §3 rule 12); provisioning uses it for factory configs. */
export function problemOf(e: ErrorObject): ConfigProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
  if (e.keyword === 'additionalProperties') return { path: path ? `${path}.${String(e.params['additionalProperty'])}` : String(e.params['additionalProperty']), message: 'unknown key' };
  if (e.keyword === 'required') return { path: path ? `${path}.${String(e.params['missingProperty'])}` : String(e.params['missingProperty']), message: 'is required' };
  if (e.keyword === 'enum') return { path, message: `must be one of ${(e.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  if (e.keyword === 'const') return { path, message: `must be ${JSON.stringify(e.params['allowedValue'])}` };
  return { path, message: e.message ?? e.keyword };
}
