/**
 * `kassa cloud demo`: the whole flow of issue 12 §5 on one machine, with nothing installed —
 * "a fresh register claims, is provisioned, registers its FN and sells". It runs the embedded
 * broker (aedes, firmware/jobs/embedded-broker.ts), makes the cloud's folder on its first run
 * (command key, CA, a factory config for a fresh register, the profile it will get), answers
 * claims, and sends the signed `register` command when a claimed register first reports an
 * unregistered FN. Selling is `kassa send-job --config <dir>/factory.json …`.
 *
 * The embedded broker has no TLS and no ACL: the broker's half of issue 12 §4 (client
 * certificates, `require_certificate`, the ACL) is mosquitto's, set up by `kassa cloud init`.
 * Commands are still signed with the folder's key and checked by the register.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmbeddedBroker } from '../jobs/embedded-broker.ts';
import type { CliContext } from './cli-context.ts';
import { ClaimAnswerer } from './cloud-claims.ts';
import { CloudLink } from './cloud-link.ts';
import { loadCloudMaterials, makeCloudKeys, write } from './cloud-materials.ts';

export interface CloudDemoOptions {
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly kktSerial: string;
  /** A profile file instead of the folder's profile.json. */
  readonly profile: string | undefined;
}

/** The demo register's profile: device-config/demo.json's registration and cashier; the cloud registers the FN by command. */
const DEMO_CONFIG = 'device-config/demo.json';

/** Makes the folder on the first run: CA, command key, factory.json and profile.json for the embedded broker at `url`. */
async function initDemoFolder(dir: string, url: string, kktSerial: string): Promise<string[]> {
  const { cloudPublicKey } = await makeCloudKeys(dir, 'kassa demo cloud CA', 0o700);
  const factory = {
    version: 1,
    dataDir: join(dir, 'register-data'),
    fn: { kind: 'emulator' },
    printer: { kind: 'emulator', dir: 'receipts' }, // under dataDir
    console: { kind: 'none' },
    // aedes speaks MQTT 3.1.1 only.
    claim: { url, kktSerial, protocolVersion: 4 },
    mqtt: { protocolVersion: 4 },
    security: { cloudPublicKey },
  };
  write(join(dir, 'factory.json'), `${JSON.stringify(factory, null, 2)}\n`, 0o644);
  const demo = JSON.parse(readFileSync(DEMO_CONFIG, 'utf8')) as { registration: Record<string, unknown>; cashier: unknown };
  const profile = { registration: { ...demo.registration, kktSerial, autoRegister: false }, cashier: demo.cashier, shift: { closeAt: null } };
  write(join(dir, 'profile.json'), `${JSON.stringify(profile, null, 2)}\n`, 0o644);
  return ['factory.json', 'profile.json', 'ca.pem', 'signing.key'].map((n) => join(dir, n));
}

export async function cloudDemo(ctx: CliContext, o: CloudDemoOptions): Promise<number> {
  const dir = resolve(o.dir);
  const url = `mqtt://${o.host}:${o.port}`;
  if (!existsSync(join(dir, 'signing.key'))) for (const f of await initDemoFolder(dir, url, o.kktSerial)) ctx.out(`made ${f}`);
  const m = loadCloudMaterials(dir);
  const profile = JSON.parse(readFileSync(o.profile ?? join(dir, 'profile.json'), 'utf8')) as Record<string, unknown>;
  const broker = await startEmbeddedBroker(o.host, o.port);
  const link = await CloudLink.connect({ url: broker.url, clientId: 'kassa-cloud-demo', clock: ctx.clock });
  try {
    const assigned = new Set<string>();
    const registering = new Set<string>();
    const answerer = new ClaimAnswerer(link, {
      prefix: 'kassa-claim',
      ca: m.ca,
      cloudKey: m.signingKey,
      log: ctx.out,
      assign: (r) => {
        const deviceId = `kassa-${r.kktSerial}`;
        assigned.add(deviceId);
        return { deviceId, brokerUrl: broker.url, topicPrefix: `kassa/${deviceId}`, profile, profileVersion: 1 };
      },
    });
    // A claimed register reports its FN on its status topic: an unregistered one gets `register`, once.
    link.client.on('message', (topic, payload) => {
      const device = /^kassa\/([^/]+)\/status$/.exec(topic)?.[1];
      if (!device || !assigned.has(device) || registering.has(device)) return;
      const status = JSON.parse(payload.toString()) as { state?: string; provisioning?: { registration?: string } };
      if (status.state !== 'online' || status.provisioning?.registration !== 'not registered') return;
      registering.add(device);
      void registerFn(link, m.signingKey, device, ctx, factoryPathOf(dir)).catch((e: unknown) => ctx.err(`register ${device}: ${e instanceof Error ? e.message : String(e)}`));
    });
    await link.client.subscribeAsync(['kassa/+/status', 'kassa/+/results'], { qos: 1 });
    await answerer.start();
    ctx.out(`cloud demo: embedded broker at ${broker.url}, answering claims (Ctrl+C stops)`);
    ctx.out(`next: npm run kassa -- run --config ${factoryPathOf(dir)}`);
    await new Promise<void>((resolve) => ctx.onStop(resolve));
    return 0;
  } finally {
    await link.close();
    await broker.close();
  }
}

const factoryPathOf = (dir: string): string => join(dir, 'factory.json');

async function registerFn(link: CloudLink, key: KeyObject, device: string, ctx: CliContext, factory: string): Promise<void> {
  const c = await link.command(`kassa/${device}/commands`, key, device, 'register', {});
  ctx.out(`${device} is online with an unregistered FN: sent register (${c.id})`);
  const r = await link.result(c.id, 60_000);
  ctx.out(JSON.stringify(r));
  if (r.status === 'done') ctx.out(`${device} registered its FN: FD ${String(r['fd'])}, FPD ${String(r['fpd'])}. Sell: npm run kassa -- send-job --config ${factory} device-config/samples/sell-atol.json`);
}
