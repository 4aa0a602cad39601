/**
 * Issue 3 figures, through a real mosquitto with the FN emulator at zero latency: jobs/s,
 * end-to-end latency p50/p99 (publish → final result) and CPU ms per job, the register in
 * this process. The register's own process on the bundle (RSS after 100 000 journaled jobs,
 * boot, CPU per job) is bundle.bench.ts. The journal's append cost at 100 000 vs 1 000
 * entries is journal.bench.ts.
 */
import { readFileSync } from 'node:fs';
import { removeDir, startAppRig } from '../helpers/app-rig.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { percentile, printFigures, type Figure } from './bench-kit.ts';

const BURST = 2000;
const SEQUENTIAL = 300;

export async function jobsBench(): Promise<Figure[]> {
  const base = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  const broker = await startMosquitto();
  const rig = await startAppRig(broker.url);
  const cloud = await connectCloud(broker.url, rig.config.mqtt.topicPrefix);
  try {
    await cloud.online();
    // Warm-up: the shift opens, code paths get hot.
    const warm = Array.from({ length: 50 }, (_, i) => `warm-${i}`);
    for (const id of warm) await cloud.publish(JSON.stringify({ ...base, id }));
    await cloud.allFinal(warm);

    // Latency: one job at a time.
    const latencies: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const id = `lat-${i}`;
      const t0 = performance.now();
      await cloud.publish(JSON.stringify({ ...base, id }));
      await cloud.final(id);
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);

    // Throughput: a burst, as fast as the broker takes it.
    const ids = Array.from({ length: BURST }, (_, i) => `burst-${i}`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(ids.map((id) => cloud.publish(JSON.stringify({ ...base, id }))));
    await cloud.allFinal(ids, 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerJob = (cpu.user + cpu.system) / 1000 / BURST;

    const figures: Figure[] = [
      { name: 'jobs/s, burst through mosquitto', value: BURST / seconds, unit: 'jobs/s', note: `${BURST} jobs in ${seconds.toFixed(1)} s` },
      { name: 'latency p50, one job at a time', value: percentile(latencies, 50), unit: 'ms', note: 'publish → final result' },
      { name: 'latency p99, one job at a time', value: percentile(latencies, 99), unit: 'ms' },
      { name: 'CPU per job (register + cloud client)', value: cpuMsPerJob, unit: 'ms', note: 'both in this process' },
    ];
    printFigures('Receipt jobs over MQTT (issue 3)', figures);
    return figures;
  } finally {
    await cloud.close();
    await rig.stop();
    await broker.close();
    removeDir(rig.dataDir);
  }
}
