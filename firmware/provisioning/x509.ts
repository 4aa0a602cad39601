/**
 * X.509 for provisioning by claim (issue 12 §1, §4) through @peculiar/x509 on WebCrypto:
 * the register's own key pair and the PKCS#10 request for it (RFC 2986), and — for the
 * cloud's reference tools and the tests — a small CA that issues broker and client
 * certificates. No hand-written ASN.1. ECDSA P-256: every TLS stack (mosquitto's OpenSSL,
 * Node's) takes it for client authentication, and keys are made in milliseconds.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it before it loads
import * as x509 from '@peculiar/x509';
import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { generateKeyPair, type KeyPairPem } from './device-key.ts';

export { generateKeyPair, type KeyPairPem };

x509.cryptoProvider.set(webcrypto as never);

/** WebCrypto keys as the library takes them (the project compiles without the DOM lib). */
type Key = Parameters<typeof x509.X509CertificateGenerator.create>[0]['publicKey'] & object;
interface Keys {
  readonly privateKey: Key;
  readonly publicKey: Key;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface CaPem {
  readonly certPem: string;
  readonly keyPem: string;
}

async function cryptoKeys(k: KeyPairPem): Promise<Keys> {
  const der = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const subtle = webcrypto.subtle;
  const privateKey = (await subtle.importKey('pkcs8', der(k.privateKeyPem), ALG, true, ['sign'])) as unknown as Key;
  const publicKey = (await subtle.importKey('spki', der(k.publicKeyPem), ALG, true, ['verify'])) as unknown as Key;
  return { privateKey, publicKey };
}

/** A certificate request for the register's own key: the cloud learns the key, never the private half. */
export async function makeCsr(keys: KeyPairPem, commonName: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${commonName}`, keys: (await cryptoKeys(keys)) as never, signingAlgorithm: ALG });
  return csr.toString('pem');
}

/** A self-signed CA (the cloud's reference tools, tests). */
export async function createCa(commonName: string, days = 3650, now = Date.now()): Promise<CaPem> {
  const keys = generateKeyPair();
  const ck = await cryptoKeys(keys);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + days * DAY_MS),
    keys: ck as never,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true), await x509.SubjectKeyIdentifierExtension.create(ck.publicKey as never)],
  });
  return { certPem: cert.toString('pem'), keyPem: keys.privateKeyPem };
}

export interface IssueRequest {
  readonly commonName: string;
  /** The key the certificate is for: a CSR (its signature is checked: the requester holds the key) or a public key. */
  readonly csrPem?: string;
  readonly publicKeyPem?: string;
  readonly usage: 'client' | 'server';
  /** Server: the names and addresses clients connect to. */
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days?: number;
  readonly now?: number;
}

export class CsrRejected extends Error {}

export async function issueCertificate(ca: CaPem, r: IssueRequest): Promise<string> {
  let publicKey: Key;
  if (r.csrPem !== undefined) {
    const csr = new x509.Pkcs10CertificateRequest(r.csrPem);
    if (!(await csr.verify())) throw new CsrRejected('the CSR is not signed by its own key');
    publicKey = (await csr.publicKey.export(ALG, ['verify'])) as unknown as Key;
  } else if (r.publicKeyPem !== undefined) {
    publicKey = (await cryptoKeys({ privateKeyPem: ca.keyPem, publicKeyPem: r.publicKeyPem })).publicKey;
  } else throw new TypeError('a CSR or a public key is required');
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await cryptoKeys({ privateKeyPem: ca.keyPem, publicKeyPem: createPublicKey(ca.keyPem).export({ type: 'spki', format: 'pem' }).toString() });
  const now = r.now ?? Date.now();
  const san = [...(r.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })), ...(r.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${r.commonName}`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + (r.days ?? 825) * DAY_MS),
    signingKey: caKeys.privateKey as never,
    publicKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([r.usage === 'client' ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth]),
      ...(san.length > 0 ? [new x509.SubjectAlternativeNameExtension(san)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString('pem');
}

export interface CertificateFacts {
  readonly commonName: string | undefined;
  readonly notAfter: Date;
  /** The certificate is for this public key (SPKI PEM). */
  readonly forKey: (publicKeyPem: string) => boolean;
  /** The certificate was signed by this CA certificate. */
  readonly issuedBy: (caPem: string) => Promise<boolean>;
}

export function certificateFacts(pem: string): CertificateFacts {
  const cert = new x509.X509Certificate(pem);
  const spki = Buffer.from(cert.publicKey.rawData);
  return {
    commonName: cert.subjectName.getField('CN')[0],
    notAfter: cert.notAfter,
    forKey: (publicKeyPem) => createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }).equals(spki),
    issuedBy: async (caPem) => cert.verify({ publicKey: new x509.X509Certificate(caPem), signatureOnly: true }),
  };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}
