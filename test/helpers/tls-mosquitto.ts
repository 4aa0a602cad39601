/**
 * A real mosquitto with TLS and client certificates for the tests of issue 12 §4: the test
 * CA (made with the project's own x509 module, no openssl CLI) issues the broker's
 * certificate and every client's; `require_certificate true`, `use_identity_as_username
 * true`, and the ACL shipped as device-config/mosquitto-acl.example.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, generateKeyPair, issueCertificate, makeCsr, type CaPem } from '../../firmware/provisioning/x509.ts';
import { freePort, waitForPort } from './mosquitto.ts';
import { mosquittoTlsListener } from '../../firmware/cli/cloud-materials.ts';

export interface ClientFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsMosquitto {
  readonly url: string;
  readonly dir: string;
  readonly ca: CaPem;
  readonly caFile: string;
  /** Key, CSR and certificate for a client whose certificate CN is `commonName`, as files. */
  client(commonName: string): Promise<ClientFiles>;
  close(): Promise<void>;
}

export async function startTlsMosquitto(): Promise<TlsMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-mosquitto-tls-'));
  chmodSync(dir, 0o755); // mosquitto drops to its own user and must read its files
  const ca = await createCa('kassa test CA');
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, 0o644);
    return path;
  };
  const caFile = write('ca.pem', ca.certPem);
  const serverKeys = generateKeyPair();
  write('broker.key', serverKeys.privateKeyPem);
  write('broker.pem', await issueCertificate(ca, { commonName: 'broker', publicKeyPem: serverKeys.publicKeyPem, usage: 'server', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] }));
  copyFileSync('device-config/mosquitto-acl.example', join(dir, 'kassa.acl'));
  chmodSync(join(dir, 'kassa.acl'), 0o644);
  const port = await freePort();
  const conf = write('mosquitto.conf', [...mosquittoTlsListener({ port, host: '127.0.0.1', dir }), 'persistence false', 'log_dest none', ''].join('\n'));
  const proc: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => proc.once('error', (e) => reject(new Error(`cannot start mosquitto: ${e.message}`))));
  failed.catch(() => undefined);
  await Promise.race([waitForPort(port, 5000), failed]);
  return {
    url: `mqtts://127.0.0.1:${port}`,
    dir,
    ca,
    caFile,
    async client(commonName) {
      const keys = generateKeyPair();
      const certPem = await issueCertificate(ca, { commonName, csrPem: await makeCsr(keys, commonName), usage: 'client' });
      return { caFile, certFile: write(`${commonName}.pem`, certPem), keyFile: write(`${commonName}.key`, keys.privateKeyPem) };
    },
    async close() {
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
