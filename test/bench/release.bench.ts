/**
 * Issue 14: the release as a workshop ships it — bundle size minified (and gzip, as it would
 * travel), the native bindings beside it, and how long the bundle takes to load on this machine.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { CloudLink } from '../../firmware/cli/cloud-link.ts';
import { serveChunks } from '../../firmware/cli/cloud-update-command.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { ChunkFetcher } from '../../firmware/update/chunk-fetcher.ts';
import { ChunkServer } from '../../firmware/update/chunk-server.ts';
import { packRelease } from '../../firmware/update/pack-release.ts';
import { chunkPlan, decodeReleasePackage, encodeReleasePackage, sha256Hex } from '../../firmware/update/release-package.ts';
import { parseUpdateOrder } from '../../firmware/update/update-order.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { percentile, printFigures } from './bench-kit.ts';

const sizeOf = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);

export async function releaseBench(): Promise<void> {
  const t0 = performance.now();
  execFileSync(process.execPath, ['build.mjs'], { stdio: 'ignore' });
  const buildMs = performance.now() - t0;
  const bundle = readFileSync('dist/kassa-main.cjs');
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    execFileSync(process.execPath, ['dist/kassa.mjs', '--version'], { stdio: 'ignore' });
    starts.push(performance.now() - s);
  }
  starts.sort((a, b) => a - b);
  printFigures('release (npm run build)', [
    { name: 'bundle size minified', value: bundle.length / 1024, unit: 'KiB', note: `dist/kassa-main.cjs; its launcher dist/kassa.mjs ${(statSync('dist/kassa.mjs').size / 1024).toFixed(1)} KiB` },
    { name: 'bundle size minified, gzip', value: gzipSync(bundle, { level: 9 }).length / 1024, unit: 'KiB' },
    { name: 'source map (not installed)', value: statSync('dist/kassa-main.cjs.map').size / 1024, unit: 'KiB' },
    { name: 'native bindings, 3 targets', value: sizeOf('dist/prebuilds') / 1024, unit: 'KiB' },
    { name: 'build time', value: buildMs, unit: 'ms' },
    { name: 'load + `--version`, median of 5', value: percentile(starts, 50), unit: 'ms' },
  ]);
  await updateTransferBench();
}

/**
 * The release as an update over loopback mosquitto: the register's own chunk fetcher asks for
 * each chunk and checks its hash as the updater does, then the whole package is checked and
 * unpacked. Disk writes of the slot are left out (they depend on the board's flash).
 */
async function updateTransferBench(): Promise<void> {
  const bytes = encodeReleasePackage(packRelease('dist'));
  const broker = await startMosquitto();
  const cloud = await CloudLink.connect({ clock: systemClock(), url: broker.url });
  const board = await mqtt.connectAsync(broker.url, { clientId: 'bench-register', protocolVersion: 5 });
  try {
    const figures = [];
    for (const chunkSize of [16_384, 65_536, 262_144]) {
      const order = parseUpdateOrder(`bench-${chunkSize}`, { version: '99.0.0', ...chunkPlan(bytes, chunkSize) }, '0.1.0', 1 << 26);
      const stop = await serveChunks(cloud, 'bench', new ChunkServer(order.id, bytes, chunkSize));
      const fetcher = new ChunkFetcher({ publish: (t, p) => board.publishAsync(t, p, { qos: 1 }).then(() => undefined), clock: systemClock(), requestTopic: 'bench/update/request', timeoutMs: 10_000 });
      const onChunk = (topic: string, payload: Buffer): void => {
        if (topic === 'bench/update/chunk') fetcher.handle(payload);
      };
      board.on('message', onChunk);
      await board.subscribeAsync('bench/update/chunk', { qos: 1 });
      const t0 = performance.now();
      const parts: Uint8Array[] = [];
      for (let i = 0; i < order.chunks.length; i++) {
        const chunk = await fetcher.fetch(order, i);
        if (sha256Hex(chunk) !== order.chunks[i]) throw new Error(`chunk ${i}: hash`);
        parts.push(chunk);
      }
      const whole = Buffer.concat(parts);
      const t1 = performance.now();
      if (sha256Hex(whole) !== order.sha256) throw new Error('package hash');
      decodeReleasePackage(whole);
      const t2 = performance.now();
      board.off('message', onChunk);
      await board.unsubscribeAsync('bench/update/chunk');
      await stop();
      figures.push(
        { name: `update download, chunks of ${chunkSize / 1024} KiB`, value: t1 - t0, unit: 'ms', note: `${order.chunks.length} chunks, ${((bytes.length / 1048576) / ((t1 - t0) / 1000)).toFixed(1)} MiB/s` },
        { name: `update verify + unpack, chunks of ${chunkSize / 1024} KiB`, value: t2 - t1, unit: 'ms' },
      );
    }
    printFigures(`release as an update over loopback mosquitto (${(bytes.length / 1024).toFixed(0)} KiB package)`, figures);
  } finally {
    await board.endAsync();
    await cloud.close();
    await broker.stop();
  }
}
