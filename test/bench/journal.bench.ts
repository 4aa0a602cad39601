/**
 * Issue 3 figures for the durable journal: the cost of one awaited append (write + fsync) of
 * a ~600-byte receipt-job record when the journal holds 1 000 entries and when it holds
 * 100 000, measured in one run on one journal, with their ratio (flat means ≈ 1); group-
 * commit throughput with 100 concurrent appenders; and the boot replay of the whole journal.
 * The journal is filled between the two measurements with group-committed appends, so the
 * run takes seconds, not the minutes 100 000 single fsyncs would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '../../firmware/core/log.ts';
import { frameRecord } from '../../firmware/core/record-framing.ts';
import { DEFAULT_SEGMENT_BYTES, Journal } from '../../firmware/journal/journal.ts';
import { percentile, printFigures, type Figure } from './bench-kit.ts';

const PROBE = 1000;
const WARMUP = 300;

/** A sell job as the intake journals it: ATOL-style receipt, two items, about 600 bytes framed. */
function receiptJob(n: number): Record<string, unknown> {
  return {
    kind: 'job',
    receivedAt: 1_767_000_000_000 + n,
    id: `3f9c2a1e-6b1d-4c55-9a0e-${String(n).padStart(12, '0')}`,
    job: {
      type: 'sell',
      receipt: {
        client: { email: 'buyer@example.ru' },
        company: { email: 'shop@example.ru', sno: 'osn', inn: '7707083893', payment_address: 'https://shop.example.ru' },
        items: [
          { name: 'Кофе в зёрнах, 1 кг', price: 149000, quantity: 1, sum: 149000, measure: 0, payment_method: 'full_payment', payment_object: 'commodity', vat: { type: 'vat20', sum: 24833 } },
          { name: 'Доставка курьером', price: 35000, quantity: 1, sum: 35000, measure: 0, payment_method: 'full_payment', payment_object: 'service', vat: { type: 'vat20', sum: 5833 } },
        ],
        payments: [{ type: 1, sum: 184000 }],
        total: 184000,
        cashier: 'Иванова А. П.',
      },
    },
  };
}

interface Timing {
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** `count` appends, each awaited before the next: the cost one job pays before its PUBACK. */
async function awaitedAppends(journal: Journal<unknown>, from: number, count: number): Promise<Timing> {
  const us: number[] = [];
  for (let k = 0; k < count; k++) {
    const t0 = performance.now();
    await journal.append(receiptJob(from + k));
    us.push((performance.now() - t0) * 1000);
  }
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  us.sort((a, b) => a - b);
  return { meanUs: mean, p50Us: percentile(us, 50), p99Us: percentile(us, 99) };
}

/** `workers` appenders, each awaiting its own appends, until `total` are durable. */
async function concurrentAppends(journal: Journal<unknown>, from: number, total: number, workers: number): Promise<number> {
  let next = from;
  const end = from + total;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < end) await journal.append(receiptJob(next++));
    }),
  );
  return (total * 1000) / (performance.now() - t0);
}

export async function journalBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-journal-'));
  try {
    const recordBytes = frameRecord(receiptJob(0)).length;
    const journal = new Journal<unknown>({ log: silentLog() }, { dir: join(dir, 'grow') });
    await journal.open();
    // 700 group-committed + 300 awaited (warm-up) = 1 000 entries, then the 1k probe.
    await concurrentAppends(journal, 0, 1000 - WARMUP, 100);
    await awaitedAppends(journal, 1000 - WARMUP, WARMUP);
    const at1k = await awaitedAppends(journal, 1000, PROBE);
    // Up to 100 000 entries, then the same probe.
    await concurrentAppends(journal, 1000 + PROBE, 100_000 - 1000 - PROBE, 100);
    const at100k = await awaitedAppends(journal, 100_000, PROBE);
    const grown = journal.stats;
    await journal.close();

    const t0 = performance.now();
    const replay = new Journal<unknown>({ log: silentLog() }, { dir: join(dir, 'grow') });
    const { records } = await replay.open();
    const replayMs = performance.now() - t0;
    await replay.close();

    const group = new Journal<unknown>({ log: silentLog() }, { dir: join(dir, 'group') });
    await group.open();
    await concurrentAppends(group, 0, 2000, 100); // warm-up
    const before = group.stats;
    const groupRate = await concurrentAppends(group, 2000, 20_000, 100);
    const after = group.stats;
    await group.close();

    const figures: Figure[] = [
      { name: 'record size (framed)', value: recordBytes, unit: 'B', note: 'a two-item sell job' },
      { name: 'append @1k entries, mean', value: at1k.meanUs, unit: 'µs', note: `p50 ${at1k.p50Us.toFixed(0)}, p99 ${at1k.p99Us.toFixed(0)}; awaited one by one, write + fdatasync` },
      { name: 'append @100k entries, mean', value: at100k.meanUs, unit: 'µs', note: `p50 ${at100k.p50Us.toFixed(0)}, p99 ${at100k.p99Us.toFixed(0)}` },
      { name: 'append cost 100k / 1k (mean)', value: at100k.meanUs / at1k.meanUs, unit: '×', note: 'flat ≈ 1' },
      { name: 'append cost 100k / 1k (p50)', value: at100k.p50Us / at1k.p50Us, unit: '×' },
      { name: 'journal at 101k entries', value: grown.bytes / 1024 / 1024, unit: 'MiB', note: `${grown.segments} segments of ${DEFAULT_SEGMENT_BYTES / 1024 / 1024} MiB` },
      { name: 'replay (open) of 101k entries', value: replayMs, unit: 'ms', note: `${records.length} records` },
      { name: 'group commit, 100 concurrent', value: groupRate, unit: 'appends/s', note: '20 000 appends' },
      { name: 'records per fsync', value: (after.appends - before.appends) / (after.fsyncs - before.fsyncs), unit: '', note: 'group commit batch size' },
    ];
    printFigures('Durable journal (issue 3)', figures);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
