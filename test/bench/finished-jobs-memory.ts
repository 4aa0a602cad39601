/**
 * The finished-job index alone (firmware/jobs/finished-jobs.ts, issue 9 §5): bytes per job
 * (heap + arrayBuffers after a forced gc) with `count` jobs set one by one and after a boot
 * loads them from the index file, and the time that load takes. Needs --expose-gc, so the
 * bench (`npm run bench -- finished`) runs it as a child:
 *   node --expose-gc --import tsx test/bench/finished-jobs-memory.ts [count]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '../../firmware/core/log.ts';
import { FinishedJobs } from '../../firmware/jobs/finished-jobs.ts';
import type { LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { loadLedgerIndex, saveLedgerIndex } from '../../firmware/jobs/ledger-index-file.ts';
import { Journal } from '../../firmware/journal/journal.ts';

/** For run.ts: the figures of a child process with --expose-gc. */
export async function finishedJobsBench(): Promise<void> {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/bench/finished-jobs-memory.ts', '100000'], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`finished-jobs-memory exited with ${String(child.status)}`);
}

/** ATOL external ids are usually UUIDs (as test/bench/rss-probe.ts makes them); own flat strings, as the fold keeps. */
const idOf = (i: number): string => Buffer.from(`5f0c2a1e-7b3d-4c9a-8e21-${String(i).padStart(12, '0')}`).toString();

function used(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function main(count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-finished-bench-'));
  try {
    const journal = new Journal<LedgerRecord>({ log: silentLog() }, { dir: join(dir, 'journal') });
    await journal.open(() => {});
    const last = await journal.append({ k: 'reported', id: idOf(count - 1), at: 1 });
    const before = used();
    let finished: FinishedJobs | undefined = new FinishedJobs();
    const at = Date.UTC(2026, 5, 1);
    for (let i = 0; i < count; i++) {
      const place = { seq: 1 + (i >>> 12), offset: (i & 4095) * 700 };
      finished.set({ id: idOf(i), seq: i + 1, failed: i % 97 === 0, type: 'sell', acceptedAt: at + i * 1000, finishedAt: at + i * 1000 + 900, reported: true, rejected: false, result: place, accepted: { seq: place.seq, offset: place.offset - 350 } });
    }
    const grown = (used() - before) / count;
    const path = join(dir, 'ledger-index.bin');
    await saveLedgerIndex(path, join(dir, 'journal'), { live: new Map(), livePlaces: new Map(), finished, seq: count, last }, journal.segmentSizes());
    finished = undefined;
    const empty = used();
    const times: number[] = [];
    let loaded: unknown;
    for (let run = 0; run < 5; run++) {
      loaded = undefined;
      used();
      const t0 = performance.now();
      loaded = await loadLedgerIndex(path, join(dir, 'journal'));
      times.push(performance.now() - t0);
    }
    if (!loaded) throw new Error('the index file was not loaded');
    const booted = (used() - empty) / count;
    times.sort((a, b) => a - b);
    console.log(`finished-job index, ${count} jobs: ${grown.toFixed(1)} B/job set one by one, ${booted.toFixed(1)} B/job loaded from the index file (heap + arrayBuffers after gc)`);
    console.log(`index file ${(statSync(path).size / 1048576).toFixed(2)} MiB, load ${times[2]?.toFixed(1)} ms (median of 5)`);
    await journal.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('finished-jobs-memory.ts')) await main(Number(process.argv[2] ?? 100000));
