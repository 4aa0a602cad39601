/**
 * `kassa cloud init`: everything the cloud side of issue 12 needs on one machine, in one
 * folder — the cloud's Ed25519 command key, a small CA, the broker's certificate, the cloud
 * service's and the batch's claim client certificates, a mosquitto config with the shipped
 * ACL, and a factory config for a fresh register. For tests and the demo; a real cloud keeps
 * its CA and keys in its own vault.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCa, generateKeyPair, issueCertificate, makeCsr, type CaPem } from '../provisioning/x509.ts';

export interface CloudMaterials {
  readonly dir: string;
  readonly ca: CaPem;
  readonly signingKey: KeyObject;
  readonly signingPublicPem: string;
  /** The cloud service's MQTT client certificate (CN "cloud"). */
  readonly cloudTls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** Like the default config, relative to the working directory (the repository or the install). */
const ACL_EXAMPLE = 'device-config/mosquitto-acl.example';

const file = (dir: string, name: string): string => join(dir, name);

export function write(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
}

/**
 * The mosquitto listener of issue 12 §4 (device-config/mosquitto-acl.example): TLS, a client
 * certificate required, its CN the user name, the ACL. `dir` holds ca.pem, broker.pem/.key, kassa.acl.
 */
export function mosquittoTlsListener(o: { readonly port: number; readonly host: string; readonly dir: string }): string[] {
  return [
    `listener ${o.port} ${o.host}`,
    `cafile ${file(o.dir, 'ca.pem')}`,
    `certfile ${file(o.dir, 'broker.pem')}`,
    `keyfile ${file(o.dir, 'broker.key')}`,
    'require_certificate true',
    'use_identity_as_username true',
    'allow_anonymous false',
    `acl_file ${file(o.dir, 'kassa.acl')}`,
  ];
}

/** The folder's CA and Ed25519 command key (ca.pem/.key, signing.key/.pub); the command key's public half as PEM. */
export async function makeCloudKeys(dir: string, caName: string, dirMode: number): Promise<{ readonly ca: CaPem; readonly cloudPublicKey: string }> {
  mkdirSync(dir, { recursive: true, mode: dirMode });
  const ca = await createCa(caName);
  write(file(dir, 'ca.pem'), ca.certPem, 0o644);
  write(file(dir, 'ca.key'), ca.keyPem, 0o600);
  const signing = generateKeyPairSync('ed25519');
  write(file(dir, 'signing.key'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 0o600);
  const cloudPublicKey = signing.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  write(file(dir, 'signing.pub'), cloudPublicKey, 0o644);
  return { ca, cloudPublicKey };
}

/** Creates the folder's materials (refuses to overwrite an existing CA). */
export async function initCloudMaterials(dirArg: string, o: { readonly brokerHost: string; readonly brokerPort: number; readonly kktSerial: string }): Promise<string[]> {
  const dir = resolve(dirArg);
  if (existsSync(file(dir, 'ca.pem'))) throw new Error(`${dir} already holds a CA: not overwritten`);
  // 0755: mosquitto, dropped to its own user, reads its files here; the keys themselves are 0600.
  const { ca, cloudPublicKey } = await makeCloudKeys(dir, 'kassa cloud CA', 0o755);
  const isIp = /^[\d.]+$/.test(o.brokerHost);
  const issue = async (name: string, cn: string, usage: 'client' | 'server'): Promise<void> => {
    const keys = generateKeyPair();
    const cert = await issueCertificate(ca, { commonName: cn, csrPem: await makeCsr(keys, cn), usage, ...(usage === 'server' ? (isIp ? { ipAddresses: [o.brokerHost] } : { dnsNames: [o.brokerHost] }) : {}) });
    write(file(dir, `${name}.pem`), cert, 0o644);
    // mosquitto drops to its own user and must read the broker's key; the others stay owner-only.
    write(file(dir, `${name}.key`), keys.privateKeyPem, name === 'broker' ? 0o644 : 0o600);
  };
  await issue('broker', 'broker', 'server');
  await issue('cloud', 'cloud', 'client');
  await issue('claim', 'claim', 'client');
  copyFileSync(ACL_EXAMPLE, file(dir, 'kassa.acl'));
  chmodSync(file(dir, 'kassa.acl'), 0o644);
  write(file(dir, 'mosquitto.conf'), [...mosquittoTlsListener({ port: o.brokerPort, host: o.brokerHost, dir }), ''].join('\n'), 0o644);
  const url = `mqtts://${o.brokerHost}:${o.brokerPort}`;
  write(
    file(dir, 'factory.json'),
    `${JSON.stringify(
      {
        version: 1,
        dataDir: file(dir, 'register-data'),
        fn: { kind: 'emulator' },
        printer: { kind: 'emulator', dir: 'receipts' },
        console: { kind: 'tcp', host: '127.0.0.1', port: 7323 },
        claim: { url, kktSerial: o.kktSerial, caFile: file(dir, 'ca.pem'), certFile: file(dir, 'claim.pem'), keyFile: file(dir, 'claim.key') },
        security: { cloudPublicKey },
      },
      null,
      2,
    )}\n`,
    0o644,
  );
  return ['ca.pem', 'ca.key', 'signing.key', 'signing.pub', 'broker.pem', 'broker.key', 'cloud.pem', 'cloud.key', 'claim.pem', 'claim.key', 'kassa.acl', 'mosquitto.conf', 'factory.json'].map((n) => file(dir, n));
}

export function loadCloudMaterials(dirArg: string): CloudMaterials {
  const dir = resolve(dirArg);
  const read = (name: string): string => {
    try {
      return readFileSync(file(dir, name), 'utf8');
    } catch {
      throw new Error(`${file(dir, name)} is missing: run "kassa cloud init --dir ${dirArg}" first`);
    }
  };
  const signingKey = createPrivateKey(read('signing.key'));
  return {
    dir,
    ca: { certPem: read('ca.pem'), keyPem: read('ca.key') },
    signingKey,
    signingPublicPem: createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString(),
    // A demo folder (cloud-demo.ts, embedded broker without TLS) has no client certificate.
    cloudTls: existsSync(file(dir, 'cloud.pem')) ? { caFile: file(dir, 'ca.pem'), certFile: file(dir, 'cloud.pem'), keyFile: file(dir, 'cloud.key') } : {},
  };
}
