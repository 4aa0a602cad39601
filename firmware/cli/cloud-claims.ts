/**
 * The cloud's side of provisioning by claim (issue 12 §1, §5), for `kassa cloud claims` and
 * the tests: answers every claim request on <claim prefix>/+/request with a certificate its
 * own small CA issues for the CSR's key (CN = the device id it assigns), the broker, the
 * topic prefix and the device profile, all signed with the cloud's key for the claiming
 * client id and bound to the request id. Like a DPS enrollment group or an AWS provisioning
 * template: `assign` decides who the board becomes (or refuses it).
 */
import type { KeyObject } from 'node:crypto';
import { certificateFacts, CsrRejected, issueCertificate, type CaPem } from '../provisioning/x509.ts';
import type { ClaimAnswer } from '../provisioning/claim-client.ts';
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
  readonly log?: (line: string) => void;
}

export class ClaimAnswerer {
  /** Every request seen, in order (the demo and tests show them). */
  readonly requests: ClaimRequest[] = [];
  /** While true, requests are recorded but not answered (an operator who has not approved the board yet). */
  hold = false;

  constructor(
    private readonly link: CloudLink,
    private readonly o: ClaimAnswererOptions,
  ) {}

  async start(): Promise<void> {
    this.link.client.on('message', (topic, payload) => {
      const m = new RegExp(`^${escape(this.o.prefix)}/([^/]+)/request$`).exec(topic);
      if (m) void this.answer(m[1] ?? '', payload).catch((e: unknown) => this.o.log?.(`claim from ${m[1]}: ${e instanceof Error ? e.message : String(e)}`));
    });
    await this.link.client.subscribeAsync(`${this.o.prefix}/+/request`, { qos: 1 });
  }

  private async answer(claimId: string, payload: Buffer): Promise<void> {
    const r = JSON.parse(payload.toString()) as ClaimRequest;
    if (r.claimId !== claimId) throw new Error(`request names ${r.claimId}, sent under ${claimId}`);
    this.requests.push(r);
    if (this.hold) return this.o.log?.(`claim ${claimId} held`);
    const topic = `${this.o.prefix}/${claimId}/answer`;
    const a = this.o.assign(r);
    const send = (type: string, body: Record<string, unknown>): Promise<unknown> => this.link.command(topic, this.o.cloudKey, claimId, type, { requestId: r.requestId, ...body }, { id: `claim-${r.requestId}` });
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
    const answer: ClaimAnswer = { requestId: r.requestId, deviceId: a.deviceId, brokerUrl: a.brokerUrl, topicPrefix: a.topicPrefix, certificatePem, caPem: this.o.ca.certPem, profile: a.profile, profileVersion: a.profileVersion };
    await send('claim_accepted', { ...answer });
    this.o.log?.(`claim ${claimId} (KKT ${r.kktSerial}, FN ${r.fn.number} phase ${r.fn.phase}, firmware ${r.firmware}) → ${a.deviceId}`);
  }
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
