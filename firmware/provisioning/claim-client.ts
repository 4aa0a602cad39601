/**
 * Zero-touch provisioning by claim (issue 12 §1), after AWS IoT fleet provisioning by claim
 * (CreateCertificateFromCsr + RegisterThing in one round), Azure DPS (a request id that binds
 * the answer to the request; an assigned hub and device id; an initial "twin" = our profile)
 * and ThingsBoard device provisioning (a batch-wide claim credential):
 *
 *   connect with the batch's claim credential, client id "claim-<KKT serial>"
 *   subscribe <claim prefix>/<client id>/answer, then publish …/request:
 *     {version, requestId, claimId, kktSerial, fn: {number, phase}, firmware, publicKey, csr}
 *   answer: a command signed by the factory-pinned cloud key for device "claim-<serial>",
 *     type claim_accepted {requestId, deviceId, brokerUrl, topicPrefix, certificatePem, caPem?,
 *     profile, profileVersion} or claim_rejected {requestId, reason}
 *   check: signature, requestId, the certificate is for OUR key, the profile makes a valid config
 *   store profile, certificate, then identity.json (the commit point); disconnect; never again.
 *
 * The private key never leaves the register (a CSR, as AWS CreateCertificateFromCsr). A
 * power cut anywhere repeats the round with the same key and a new request id.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { ClaimConfig } from '../config/device-config.ts';
import type { Clock } from '../core/clock.ts';
import { NO_CRASH, type CrashAt } from '../core/crash-point.ts';
import { KassaError } from '../core/kassa-error.ts';
import type { Log } from '../core/log.ts';
import { cloudPublicKey, COMMAND_WINDOW, verifyCommand } from '../security/command-envelope.ts';
import { IdentityStore, type Identity } from './identity-store.ts';
import { ProfileStore } from './profile-store.ts';

export interface ClaimFacts {
  readonly kktSerial: string;
  readonly fnNumber: string;
  readonly fnPhase: number;
  readonly firmware: string;
}

export interface ClaimAnswer {
  readonly requestId: string;
  readonly deviceId: string;
  readonly brokerUrl: string;
  readonly topicPrefix: string;
  readonly certificatePem: string;
  readonly caPem?: string;
  readonly profile: Record<string, unknown>;
  readonly profileVersion: number;
}

export interface ClaimDeps {
  readonly log: Log;
  readonly clock: Clock;
  readonly identity: IdentityStore;
  readonly profiles: ProfileStore;
  /** Whether the answer's identity and profile make a config that parses: the problems, or []. */
  readonly check: (answer: ClaimAnswer, identity: Identity) => readonly string[];
  readonly signal?: AbortSignal;
  /** Fault tests' power cuts between the steps of storing the answer. */
  readonly crashAt?: CrashAt;
}

export class ClaimRefused extends KassaError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

export const claimTopics = (prefix: string, claimId: string): { request: string; answer: string } => ({ request: `${prefix}/${claimId}/request`, answer: `${prefix}/${claimId}/answer` });

/** Claims until it has an identity (or is aborted): every failed round is logged and retried after claim.retryMs. */
export async function claimIdentity(claim: ClaimConfig, cloudKeyText: string, facts: ClaimFacts, deps: ClaimDeps): Promise<Identity> {
  const log = deps.log.child('claim');
  for (let round = 1; ; round++) {
    const had = deps.identity.load();
    if (had) return had;
    try {
      return await claimOnce(claim, cloudKeyText, facts, deps, log);
    } catch (e) {
      if (deps.signal?.aborted) throw e;
      log.warn(`claim round ${round} failed: ${e instanceof Error ? e.message : String(e)}; again in ${claim.retryMs} ms`);
      await new Promise<void>((resolve) => {
        // Rounds may go on for days: each one takes its abort listener away again (bounded memory).
        const onAbort = (): void => (t.cancel(), resolve());
        const t = deps.clock.after(claim.retryMs, () => (deps.signal?.removeEventListener('abort', onAbort), resolve()));
        deps.signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (deps.signal?.aborted) throw new ClaimRefused('claim aborted');
    }
  }
}

async function claimOnce(claim: ClaimConfig, cloudKeyText: string, facts: ClaimFacts, deps: ClaimDeps, log: Log): Promise<Identity> {
  const claimId = `claim-${facts.kktSerial}`;
  const topics = claimTopics(claim.topicPrefix, claimId);
  const keys = deps.identity.deviceKey();
  const requestId = randomUUID();
  // Loaded only for a claim: a provisioned register starts without the X.509 library.
  const { certificateFacts, makeCsr } = await import('./x509.ts');
  const client: MqttClient = await mqtt.connectAsync(claim.url, {
    clientId: claimId,
    clean: true,
    protocolVersion: claim.protocolVersion,
    reconnectPeriod: 0,
    connectTimeout: claim.timeoutMs,
    ...(claim.username !== undefined ? { username: claim.username } : {}),
    ...(claim.password !== undefined ? { password: claim.password } : {}),
    ...(claim.caFile ? { ca: readFileSync(claim.caFile) } : {}),
    ...(claim.certFile ? { cert: readFileSync(claim.certFile) } : {}),
    ...(claim.keyFile ? { key: readFileSync(claim.keyFile) } : {}),
  });
  let timer: { cancel(): void } | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const answer = new Promise<Identity>((resolve, reject) => {
      timer = deps.clock.after(claim.timeoutMs, () => reject(new ClaimRefused(`no claim answer within ${claim.timeoutMs} ms`)));
      onAbort = (): void => (timer?.cancel(), reject(new ClaimRefused('claim aborted')));
      deps.signal?.addEventListener('abort', onAbort, { once: true });
      client.on('message', (topic, payload) => {
        if (topic !== topics.answer) return;
        const outcome = acceptAnswer(payload, { claimId, requestId, cloudKeyText, publicKeyPem: keys.publicKeyPem, now: deps.clock.now(), isForKey: (pem) => certificateFacts(pem).forKey(keys.publicKeyPem) }, deps);
        if (outcome === 'not ours') return log.info('a claim answer for another request: ignored');
        timer?.cancel();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      });
    });
    answer.catch(() => undefined);
    await client.subscribeAsync(topics.answer, { qos: 1 });
    const request = { version: 1, requestId, claimId, kktSerial: facts.kktSerial, fn: { number: facts.fnNumber, phase: facts.fnPhase }, firmware: facts.firmware, publicKey: keys.publicKeyPem, csr: await makeCsr(keys, claimId) };
    await client.publishAsync(topics.request, JSON.stringify(request), { qos: 1 });
    log.info(`claim ${requestId} sent as ${claimId} to ${claim.url}`);
    const identity = await answer;
    log.info(`provisioned as ${identity.deviceId} (broker ${identity.brokerUrl}, topics ${identity.topicPrefix}/…)`);
    return identity;
  } finally {
    timer?.cancel();
    if (onAbort) deps.signal?.removeEventListener('abort', onAbort);
    await client.endAsync(true).catch(() => undefined);
  }
}

interface AnswerContext {
  readonly claimId: string;
  readonly requestId: string;
  readonly cloudKeyText: string;
  readonly publicKeyPem: string;
  readonly now: number;
  /** The certificate is for the register's key. */
  readonly isForKey: (certificatePem: string) => boolean;
}

/** Checks an answer and, when it is good, stores it: the identity, an Error to give up this round, or 'not ours'. */
function acceptAnswer(payload: Uint8Array, c: AnswerContext, deps: ClaimDeps): Identity | Error | 'not ours' {
  const v = verifyCommand(payload, { publicKey: cloudPublicKey(c.cloudKeyText), deviceId: c.claimId, now: c.now, highestSeq: 0, ...COMMAND_WINDOW });
  if (!v.ok) {
    deps.log.warn(`claim answer refused: ${v.reason}: ${v.message}`);
    return 'not ours'; // a forged answer must not end the wait for the real one
  }
  const body = v.command.body as Partial<ClaimAnswer> & { reason?: string };
  if (body.requestId !== c.requestId) return 'not ours';
  if (v.command.type === 'claim_rejected') return new ClaimRefused(`the cloud refused the claim: ${body.reason ?? 'no reason given'}`);
  if (v.command.type !== 'claim_accepted') return new ClaimRefused(`unexpected answer type ${v.command.type}`);
  const a = body as ClaimAnswer;
  if (typeof a.deviceId !== 'string' || typeof a.brokerUrl !== 'string' || typeof a.topicPrefix !== 'string' || typeof a.certificatePem !== 'string' || typeof a.profile !== 'object' || !Number.isInteger(a.profileVersion)) {
    return new ClaimRefused('the claim answer lacks deviceId, brokerUrl, topicPrefix, certificatePem, profile or profileVersion');
  }
  if (!c.isForKey(a.certificatePem)) return new ClaimRefused('the certificate is not for this register’s key');
  const identity: Identity = { version: 1, deviceId: a.deviceId, brokerUrl: a.brokerUrl, topicPrefix: a.topicPrefix, cloudPublicKey: c.cloudKeyText, claimId: c.claimId, requestId: c.requestId, provisionedAt: c.now };
  const problems = deps.check(a, identity);
  if (problems.length > 0) return new ClaimRefused(`the claimed profile does not make a valid config: ${problems.join('; ')}`);
  const crashAt = deps.crashAt ?? NO_CRASH;
  deps.profiles.save({ version: a.profileVersion, profile: a.profile, appliedAt: c.now });
  crashAt('claim.profile-saved');
  deps.identity.save(identity, a.certificatePem, a.caPem, () => crashAt('claim.certificate-saved'));
  return identity;
}
