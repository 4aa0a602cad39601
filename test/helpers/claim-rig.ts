/**
 * A fresh register and its cloud for the tests of issue 12: a TLS mosquitto with the shipped
 * ACL, the cloud's Ed25519 key and CA, a factory config holding only the claim endpoint,
 * the batch's claim certificate and the cloud key, and `kassa run` as a real process.
 */
import { systemClock } from '../../firmware/core/clock.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaimAnswerer, type Assignment, type ClaimRequest } from '../../firmware/cli/cloud-claims.ts';
import { CloudLink } from '../../firmware/cli/cloud-link.ts';
import { startTlsMosquitto, type ClientFiles, type TlsMosquitto } from './tls-mosquitto.ts';

export const INN = '7707083893';
export const KKT_SERIAL = '00000000381001234567';

/** A profile a person would otherwise type into the config. */
export function demoProfile(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    registration: { ffd: '1.2', inn: INN, kktSerial: KKT_SERIAL, userName: 'ООО "Ромашка"', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], ofdInn: '7704211201', autoRegister: true },
    cashier: { name: 'Иванова Мария' },
    shift: { closeAt: null },
    ...over,
  };
}

export interface ClaimRig {
  readonly broker: TlsMosquitto;
  readonly dir: string;
  readonly dataDir: string;
  readonly factoryPath: string;
  readonly cloudKey: { readonly publicKey: KeyObject; readonly privateKey: KeyObject };
  readonly cloudTls: ClientFiles;
  readonly cloud: CloudLink;
  readonly answerer: ClaimAnswerer;
  /** Who the next claim makes the board (tests change it). */
  assign: (r: ClaimRequest) => Assignment;
  /** `kassa run` on the factory config; `env` adds to the environment (KASSA_CRASH_AT). */
  startRuntime(env?: Readonly<Record<string, string>>): ChildProcess;
  killRuntime(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

export async function startClaimRig(deviceId = 'shop-1-kassa-1', factoryOver: Record<string, unknown> = {}): Promise<ClaimRig> {
  const broker = await startTlsMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'kassa-claim-'));
  const dataDir = join(dir, 'data');
  const cloudKey = generateKeyPairSync('ed25519');
  const cloudTls = await broker.client('cloud');
  const claimTls = await broker.client('claim');
  const factoryPath = join(dir, 'factory.json');
  writeFileSync(
    factoryPath,
    JSON.stringify({
      version: 1,
      dataDir,
      fn: { kind: 'emulator', checkTimer: false },
      printer: { kind: 'none' },
      claim: { url: broker.url, kktSerial: KKT_SERIAL, ...claimTls, timeoutMs: 3000, retryMs: 300 },
      security: { cloudPublicKey: cloudKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      mqtt: { reconnectMinMs: 100, reconnectMaxMs: 1000 },
      log: { level: process.env['KASSA_TEST_LOG'] === 'debug' ? 'debug' : process.env['KASSA_TEST_LOG'] === 'info' ? 'info' : 'warn' },
      ...factoryOver,
    }),
  );
  const cloud = await CloudLink.connect({ clock: systemClock(), url: broker.url, ...cloudTls, clientId: 'cloud-service' });
  const rig: ClaimRig = {
    broker,
    dir,
    dataDir,
    factoryPath,
    cloudKey,
    cloudTls,
    cloud,
    answerer: undefined as unknown as ClaimAnswerer,
    assign: () => ({ deviceId, brokerUrl: broker.url, topicPrefix: `kassa/${deviceId}`, profile: demoProfile(), profileVersion: 1 }),
    startRuntime(env = {}) {
      const p = spawn(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'run', '--config', factoryPath], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
      runtime = p;
      return p;
    },
    async killRuntime(signal = 'SIGKILL') {
      const p = runtime;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const gone = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await gone;
    },
    async close() {
      await rig.killRuntime();
      await cloud.close();
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  let runtime: ChildProcess | undefined;
  const answerer = new ClaimAnswerer(cloud, { prefix: 'kassa-claim', ca: broker.ca, cloudKey: cloudKey.privateKey, assign: (r) => rig.assign(r) });
  await answerer.start();
  (rig as { answerer: ClaimAnswerer }).answerer = answerer;
  return rig;
}
