/**
 * The register's identity on disk (issue 12 §1): `<dataDir>/identity/`, owner-only (0700,
 * files 0600), every file written atomically (temporary file, fsync, rename, fsync of the
 * folder), so a power cut leaves the old file or the new one, never half of one.
 *
 *   device.key     the register's own private key, made once, before the first claim
 *   ca.pem         the broker's CA, device.pem the register's client certificate
 *   identity.json  device id, broker, topic prefix, pinned cloud key: written LAST — it is
 *                  the commit point of provisioning; without it the register is unprovisioned
 *   profile.json   the device profile and its version (profile-store.ts)
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../core/atomic-file.ts';
import { join } from 'node:path';
import { generateKeyPair, type KeyPairPem } from './device-key.ts';
import { createPublicKey } from 'node:crypto';

export interface Identity {
  readonly version: 1;
  readonly deviceId: string;
  readonly brokerUrl: string;
  readonly topicPrefix: string;
  /** The cloud's Ed25519 command key, pinned (PEM). */
  readonly cloudPublicKey: string;
  /** The claim this identity came from. */
  readonly claimId: string;
  readonly requestId: string;
  readonly provisionedAt: number;
}

export class IdentityStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'identity');
  }

  /** Paths the MQTT link reads (mqtt.broker.caFile/certFile/keyFile). */
  get files(): { readonly caFile: string; readonly certFile: string; readonly keyFile: string } {
    return { caFile: join(this.dir, 'ca.pem'), certFile: join(this.dir, 'device.pem'), keyFile: join(this.dir, 'device.key') };
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  /** The register's own key pair: made and stored once; the same key after any restart. */
  deviceKey(): KeyPairPem {
    const path = this.files.keyFile;
    if (existsSync(path)) {
      const privateKeyPem = readFileSync(path, 'utf8');
      return { privateKeyPem, publicKeyPem: createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString() };
    }
    this.ensureDir();
    const keys = generateKeyPair();
    writeFileAtomicSync(path, keys.privateKeyPem);
    return keys;
  }

  /** The identity, or undefined while the register is unprovisioned. */
  load(): Identity | undefined {
    const path = join(this.dir, 'identity.json');
    if (!existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as Identity;
  }

  /** Stores a claimed identity: certificate and CA first, identity.json last (the commit point). */
  save(identity: Identity, certPem: string, caPem: string | undefined, beforeCommit?: () => void): void {
    this.ensureDir();
    writeFileAtomicSync(this.files.certFile, certPem);
    if (caPem !== undefined) writeFileAtomicSync(this.files.caFile, caPem);
    beforeCommit?.();
    writeFileAtomicSync(join(this.dir, 'identity.json'), `${JSON.stringify(identity, null, 2)}\n`);
  }
}
