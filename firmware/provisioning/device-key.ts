/**
 * The register's own key pair (issue 12 §1): ECDSA P-256 through node:crypto, PEM. Kept
 * apart from x509.ts so that starting the register does not load the X.509 library; only a
 * claim (a CSR) needs that.
 */
import { generateKeyPairSync } from 'node:crypto';

export interface KeyPairPem {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** SPKI PEM. */
  readonly publicKeyPem: string;
}

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
