/**
 * The cloud's side of provisioning by claim (issue 12 §1, §5), for `kassa cloud claims` and
 * the tests: answers every claim request on <claim prefix>/+/request with a certificate its
 * own small CA issues for the CSR's key (CN = the device id it assigns), the broker, the
 * topic prefix and the device profile, all signed with the cloud's key for the claiming
 * client id and bound to the request id. Like a DPS enrollment group or an AWS provisioning
 * template: `assign` decides who the board becomes (or refuses it).
 *
 * Before `assign`, two refusals that the shared claim certificate cannot make for us: a
 * request sent under a claim id other than claim-<its KKT serial> (the ACL binds the topic to
 * the MQTT client id, so a board claims only as itself), and a serial already claimed by
 * another key (claimed-boards.ts): one board of a batch cannot take another's identity.
 */
import type { KeyObject } from 'node:crypto';
import { certificateFacts, CsrRejected, issueCertificate, type CaPem } from '../provisioning/x509.ts';
import type { ClaimAnswer } from '../provisioning/claim-client.ts';
import { claimedInMemory, sameKey, type ClaimedBoards } from './claimed-boards.ts';
import type { CloudLink } from './cloud-link.ts';

export interface ClaimRequest {
  readonly requestId: string;
  readonly claimId: string;
  readonly kktSerial: string;
  readonly fn: { readonly number: string; readonly phase: number };
  readonly firmware: string;
  readonly publicKey: string;
  readonly csr: string;
}

export type Assignment =
  | { readonly deviceId: string; readonly brokerUrl: string; readonly topicPrefix: string; readonly profile: Record<string, unknown>; readonly profileVersion: number }
  | { readonly refuse: string };

export interface ClaimAnswererOptions {
  readonly prefix: string;
  readonly ca: CaPem;
  readonly cloudKey: KeyObject;
  readonly assign: (request: ClaimRequest) => Assignment;
  /** Serials already claimed, and by which key; default: remembered while this answerer runs. */
  readonly claimed?: ClaimedBoards;
  readonly log?: (line: string) => void;
}

export class ClaimAnswerer {
  /** Every request seen, in order (the demo and tests show them). */
  readonly requests: ClaimRequest[] = [];
  /** While true, requests are recorded but not answered (an operator who has not approved the board yet). */
  hold = false;
  private readonly claimed: ClaimedBoards;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly link: CloudLink,
    private readonly o: ClaimAnswererOptions,
  ) {
    this.claimed = o.claimed ?? claimedInMemory();
  }

  async start(): Promise<void> {
    this.link.client.on('message', (topic, payload) => {
      const m = new RegExp(`^${escape(this.o.prefix)}/([^/]+)/request$`).exec(topic);
      // One at a time: two requests for one serial must not both pass the check of claimed
      // serials while a certificate is being issued for the first.
      if (m) this.work = this.work.then(() => this.answer(m[1] ?? '', payload)).catch((e: unknown) => this.o.log?.(`claim from ${m[1]}: ${e instanceof Error ? e.message : String(e)}`));
    });
    await this.link.client.subscribeAsync(`${this.o.prefix}/+/request`, { qos: 1 });
  }

  private async answer(claimId: string, payload: Buffer): Promise<void> {
    const r = JSON.parse(payload.toString()) as ClaimRequest;
    if (r.claimId !== claimId) throw new Error(`request names ${r.claimId}, sent under ${claimId}`);
    this.requests.push(r);
    if (this.hold) return this.o.log?.(`claim ${claimId} held`);
    const topic = `${this.o.prefix}/${claimId}/answer`;
    const send = (type: string, body: Record<string, unknown>): Promise<unknown> => this.link.command(topic, this.o.cloudKey, claimId, type, { requestId: r.requestId, ...body }, { id: `claim-${r.requestId}` });
    const refuse = async (reason: string): Promise<void> => {
      await send('claim_rejected', { reason });
      this.o.log?.(`claim ${claimId} refused: ${reason}`);
    };
    if (claimId !== `claim-${r.kktSerial}`) return refuse(`a board claims as claim-<its KKT serial>; this request names KKT ${r.kktSerial}`);
    const before = this.claimed.get(r.kktSerial);
    if (before && !sameKey(before.publicKey, r.publicKey)) {
      return refuse(`KKT ${r.kktSerial} was claimed by another key on ${before.at} (${before.deviceId}); an operator releases it before a re-flashed board may claim it`);
    }
    const a = this.o.assign(r);
    if ('refuse' in a) {
      await send('claim_rejected', { reason: a.refuse });
      return this.o.log?.(`claim ${claimId} refused: ${a.refuse}`);
    }
    let certificatePem: string;
    try {
      certificatePem = await issueCertificate(this.o.ca, { commonName: a.deviceId, csrPem: r.csr, usage: 'client' });
    } catch (e) {
      if (!(e instanceof CsrRejected)) throw e;
      await send('claim_rejected', { reason: e.message });
      return;
    }
    if (!certificateFacts(certificatePem).forKey(r.publicKey)) throw new Error('the CSR is not for the announced public key');
    // Bound before the answer goes out: a board that does not get it claims again with the same key.
    if (!before) this.claimed.remember(r.kktSerial, { publicKey: r.publicKey, deviceId: a.deviceId, at: new Date().toISOString() });
    const answer: ClaimAnswer = { requestId: r.requestId, deviceId: a.deviceId, brokerUrl: a.brokerUrl, topicPrefix: a.topicPrefix, certificatePem, caPem: this.o.ca.certPem, profile: a.profile, profileVersion: a.profileVersion };
    await send('claim_accepted', { ...answer });
    this.o.log?.(`claim ${claimId} (KKT ${r.kktSerial}, FN ${r.fn.number} phase ${r.fn.phase}, firmware ${r.firmware}) → ${a.deviceId}`);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
