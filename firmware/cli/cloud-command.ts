/**
 * `kassa cloud …`: the cloud's part of issue 12 as reference tools an integrator runs
 * against a broker (§5). Every command is signed with the folder's signing.key.
 *
 *   demo      the whole flow on one machine: embedded broker, claims, FN registration (cloud-demo.ts)
 *   init      make the folder: command key, CA, broker/cloud/claim certificates, mosquitto.conf, factory.json
 *   claims    answer claims: a certificate for each board's CSR, its device id, broker, topics, profile
 *   send      send one signed command (settings, profile, register, reregister, close_fn, replace_fn) and print its result
 *   watch     print a register's statuses and results
 *   pin-hash  the salted hash of a technician PIN, for security.technicianPin
 *   update    pack a release; send it as a signed firmware update and serve its chunks (issue 14)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPin } from '../security/technician-pin.ts';
import type { CliContext, Command } from './cli-context.ts';
import { UsageError } from './cli-context.ts';
import { CLOUD_UPDATE_USAGE, cloudUpdate } from './cloud-update-command.ts';

const USAGE = `kassa cloud <demo|init|claims|send|watch|pin-hash|update> [options]
  demo --dir <d> [--port 1884] [--broker-host 127.0.0.1] [--kkt-serial <digits>] [--profile <profile.json>]
       embedded broker (no TLS), the folder made on first run (factory.json, profile.json, keys), claims answered,
       the FN registered by command; then: kassa run --config <d>/factory.json
  init --dir <d> [--broker-host 127.0.0.1] [--broker-port 8883] [--kkt-serial <digits>]
  claims --dir <d> --url <mqtts://…> --profile <profile.json> [--device-id <id>] [--broker-url <url>] [--claim-prefix kassa-claim]
         (the device id defaults to kassa-<KKT serial>; the topic prefix is kassa/<device id>)
  send --dir <d> --url <mqtts://…> --device <id> <type> [<body JSON>] [--timeout-ms 60000]
       types: settings, profile ({"version", "profile"}), register, reregister ({"reasons": [...]}), close_fn, replace_fn ({"fnNumber"})
  watch --dir <d> --url <mqtts://…> --device <id>
  pin-hash <PIN>
${CLOUD_UPDATE_USAGE}`;

export const cloudCommand: Command = {
  name: 'cloud',
  usage: USAGE,
  async run(ctx: CliContext): Promise<number> {
    const [sub, ...rest] = ctx.args;
    // Firmware updates have options of their own (cloud-update-command.ts).
    if (sub === 'update') return cloudUpdate(ctx, rest);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        url: { type: 'string' },
        device: { type: 'string' },
        profile: { type: 'string' },
        'device-id': { type: 'string' },
        'broker-url': { type: 'string' },
        'broker-host': { type: 'string', default: '127.0.0.1' },
        'broker-port': { type: 'string', default: '8883' },
        'kkt-serial': { type: 'string', default: '00000000381001234567' },
        'claim-prefix': { type: 'string', default: 'kassa-claim' },
        'timeout-ms': { type: 'string', default: '60000' },
        port: { type: 'string', default: '1884' },
      },
    });
    if (sub === 'pin-hash') {
      if (positionals[0] === undefined) throw new UsageError('name the PIN');
      ctx.out(hashPin(positionals[0]));
      return 0;
    }
    const need = (v: string | undefined, what: string): string => {
      if (v === undefined) throw new UsageError(`${what} is required`);
      return v;
    };
    const dir = need(values.dir, '--dir');
    if (sub === 'demo') {
      const { cloudDemo } = await import('./cloud-demo.ts');
      return cloudDemo(ctx, { dir, host: values['broker-host'], port: Number(values.port), kktSerial: values['kkt-serial'], profile: values.profile });
    }
    // Loaded here, not at the top: every `kassa` command (the register's `run` too) imports this file.
    const { initCloudMaterials, loadCloudMaterials } = await import('./cloud-materials.ts');
    const { CloudLink } = await import('./cloud-link.ts');
    const { ClaimAnswerer } = await import('./cloud-claims.ts');
    const { claimedInFile } = await import('./claimed-boards.ts');
    if (sub === 'init') {
      for (const f of await initCloudMaterials(dir, { brokerHost: values['broker-host'], brokerPort: Number(values['broker-port']), kktSerial: values['kkt-serial'] })) ctx.out(f);
      ctx.out(`next: mosquitto -c ${dir}/mosquitto.conf, kassa cloud claims …, kassa run --config ${dir}/factory.json`);
      return 0;
    }
    const m = loadCloudMaterials(dir);
    const url = need(values.url, '--url');
    const link = await CloudLink.connect({ url, clock: ctx.clock, ...m.cloudTls, clientId: `kassa-cloud-${sub ?? ''}-${process.pid}` });
    try {
      switch (sub) {
        case 'claims': {
          const profile = JSON.parse(readFileSync(need(values.profile, '--profile'), 'utf8')) as Record<string, unknown>;
          const answerer = new ClaimAnswerer(link, {
            prefix: values['claim-prefix'],
            ca: m.ca,
            cloudKey: m.signingKey,
            log: ctx.out,
            claimed: claimedInFile(join(dir, 'claimed-boards.json')),
            assign: (r) => {
              const deviceId = values['device-id'] ?? `kassa-${r.kktSerial}`;
              return { deviceId, brokerUrl: values['broker-url'] ?? url, topicPrefix: `kassa/${deviceId}`, profile, profileVersion: 1 };
            },
          });
          await answerer.start();
          ctx.out(`answering claims on ${values['claim-prefix']}/+/request at ${url} (Ctrl+C stops)`);
          await new Promise<void>((resolve) => ctx.onStop(resolve));
          return 0;
        }
        case 'send': {
          const device = need(values.device, '--device');
          const [type, body] = positionals;
          const prefix = `kassa/${device}`;
          await link.watch(`${prefix}/results`);
          let parsed: Record<string, unknown> = {};
          try {
            if (body) parsed = JSON.parse(body) as Record<string, unknown>;
          } catch (e) {
            throw new UsageError(`the command body is not JSON: ${e instanceof Error ? e.message : String(e)}`);
          }
          const c = await link.command(`${prefix}/commands`, m.signingKey, device, need(type, 'the command type'), parsed);
          ctx.out(`sent ${c.id} (seq ${c.seq})`);
          // A profile answers `applied` and, when it needs one, later the re-registration (stage "reregistered").
          // A command the register cannot believe (a wrong key) is refused without its id: take that too.
          const timeout = Number(values['timeout-ms']);
          const anonymous = link.result(null, timeout, (r) => r.status === 'refused');
          anonymous.catch(() => undefined);
          const answer = link.result(c.id, timeout);
          answer.catch(() => undefined);
          let first: Awaited<typeof answer>;
          try {
            first = await Promise.race([answer, anonymous]);
          } catch {
            ctx.err(`kassa cloud send: no result of ${c.id} from ${device} within ${timeout} ms: is the register online and is it ${device}? (kassa cloud watch --device ${device})`);
            return 1;
          }
          ctx.out(JSON.stringify(first));
          if (first['reregister']) ctx.out(JSON.stringify(await link.result(c.id, Number(values['timeout-ms']), (r) => r['stage'] === 'reregistered')));
          return first.status === 'applied' || first.status === 'done' ? 0 : 1;
        }
        case 'watch': {
          const prefix = `kassa/${need(values.device, '--device')}`;
          link.client.on('message', (topic, payload) => ctx.out(`${topic} ${payload.toString()}`));
          await link.client.subscribeAsync([`${prefix}/status`, `${prefix}/results`], { qos: 1 });
          await new Promise<void>((resolve) => ctx.onStop(resolve));
          return 0;
        }
        default:
          throw new UsageError(`unknown "kassa cloud ${sub ?? ''}"`);
      }
    } finally {
      await link.close();
    }
  },
};
