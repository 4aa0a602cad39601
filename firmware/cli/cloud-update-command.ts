/**
 * `kassa cloud update`: the cloud's part of a firmware update (issue 14 §2), for integrators and
 * tests. `pack` turns a release folder (dist/) into a package; `send` signs an `update` command
 * for one register with the cloud's Ed25519 key, serves the chunks it asks for over MQTT, and
 * prints its reports until it says done or fail.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChunkServer } from '../update/chunk-server.ts';
import { packRelease } from '../update/pack-release.ts';
import { chunkPlan, decodeReleasePackage, encodeReleasePackage } from '../update/release-package.ts';
import { CloudLink } from './cloud-link.ts';
import { UsageError, type CliContext } from './cli-context.ts';

export const CLOUD_UPDATE_USAGE = `kassa cloud update pack <release-dir> --out <file>
kassa cloud update send --url <mqtt url> --device <id> (--dir <d> | --key <cloud-key.pem>) --package <file> [options]
  pack: every file of a release folder (npm run build's dist/) but the source map, in one package
  send options:
    --dir <d>                 the folder of kassa cloud init: its signing key and the cloud's TLS certificate
    --prefix <topic prefix>   the register's topics, default kassa/<device>
    --chunk-size <bytes>      default 65536 (4096…262144)
    --force                   install even when not newer (going back a version)
    --at idle|shift_close     when the register switches, default idle
    --seq <n>                 the command's sequence number, default the time in ms
    --timeout-ms <n>          give up after n ms, default 600000
    --ca <file> --cert <file> --client-key <file>   TLS to the broker as the cloud
Exit code: 0 when the register reports done, 1 when it fails, refuses or does not answer.`;

export async function cloudUpdate(ctx: CliContext, args: readonly string[]): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === 'pack') return pack(ctx, rest);
  if (verb === 'send') return send(ctx, rest);
  throw new UsageError(`kassa cloud update: "pack" or "send", not "${verb ?? ''}"`);
}

function pack(ctx: CliContext, args: readonly string[]): number {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { out: { type: 'string' } } });
  const dir = positionals[0];
  if (!dir || !values.out) throw new UsageError('pack needs a release folder and --out <file>');
  const pkg = packRelease(dir);
  const bytes = encodeReleasePackage(pkg);
  decodeReleasePackage(bytes); // what the register will check, checked here first
  writeFileSync(values.out, bytes);
  const plan = chunkPlan(bytes, 65_536);
  ctx.out(`${values.out}: ${pkg.release.name} ${pkg.release.version} (${pkg.release.commit}), ${pkg.files.length} files, ${bytes.length} bytes, sha256 ${plan.sha256}`);
  return 0;
}

async function send(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      url: { type: 'string' },
      device: { type: 'string' },
      key: { type: 'string' },
      dir: { type: 'string' },
      package: { type: 'string' },
      prefix: { type: 'string' },
      'chunk-size': { type: 'string', default: '65536' },
      force: { type: 'boolean', default: false },
      at: { type: 'string', default: 'idle' },
      seq: { type: 'string' },
      'timeout-ms': { type: 'string', default: '600000' },
      ca: { type: 'string' },
      cert: { type: 'string' },
      'client-key': { type: 'string' },
    },
  });
  if (!values.url || !values.device || !(values.key || values.dir) || !values.package) throw new UsageError('send needs --url, --device, --dir or --key, and --package');
  // Loaded only here: the X.509 library behind it costs every `kassa run` start otherwise.
  const materials = values.dir ? (await import('./cloud-materials.ts')).loadCloudMaterials(values.dir) : undefined;
  const signingKey = materials?.signingKey ?? createPrivateKey(readFileSync(values.key!));
  const bytes = readFileSync(values.package);
  const { release } = decodeReleasePackage(bytes);
  const chunkSize = Number(values['chunk-size']);
  const prefix = values.prefix ?? `kassa/${values.device}`;
  const plan = chunkPlan(bytes, chunkSize);
  const link = await CloudLink.connect({ url: values.url, clock: ctx.clock, ...materials?.cloudTls, ...(values.ca ? { caFile: values.ca } : {}), ...(values.cert ? { certFile: values.cert } : {}), ...(values['client-key'] ? { keyFile: values['client-key'] } : {}) });
  try {
    await link.watch(`${prefix}/results`);
    const command = await link.command(
      `${prefix}/commands`,
      signingKey,
      values.device,
      'update',
      { version: release.version, ...plan, force: values.force, switchAt: values.at },
      { lifetimeMs: 300_000, ...(values.seq !== undefined ? { seq: Number(values.seq) } : {}) },
    );
    const stopServing = await serveChunks(link, prefix, new ChunkServer(command.id, bytes, chunkSize));
    ctx.out(`update ${command.id}: ${release.version}, ${bytes.length} bytes in ${plan.chunks.length} chunks, sent to ${values.device}`);
    let seen = 0;
    const r = await link.result(command.id, Number(values['timeout-ms']), (x) => {
      const all = link.commandResults.get(command.id) ?? [];
      for (; seen < all.length; seen++) ctx.out(`  ${JSON.stringify(all[seen])}`);
      return x.status === 'done' || x.status === 'fail' || x.status === 'refused';
    });
    await stopServing();
    return r.status === 'done' ? 0 : 1;
  } finally {
    await link.close();
  }
}

/** Answers the register's chunk requests for one update until the returned stop is called. */
export async function serveChunks(link: CloudLink, prefix: string, server: ChunkServer, transform?: (index: number, data: Uint8Array) => Uint8Array): Promise<() => Promise<void>> {
  const requests = `${prefix}/update/request`;
  const onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== requests) return;
    const answer = server.answer(payload, transform);
    if (answer) void link.publish(`${prefix}/update/chunk`, answer.payload);
  };
  link.client.on('message', onMessage);
  await link.client.subscribeAsync(requests, { qos: 1 });
  return async () => {
    link.client.off('message', onMessage);
    await link.client.unsubscribeAsync(requests);
  };
}
