/**
 * Child process of the memory benchmark (bundle.bench.ts): `fill <dataDir> <count> <tail>`
 * writes `count` finished jobs into a data dir's journal through the real journal and ledger,
 * compacts it and writes the ledger's index file as the running register's schedule does,
 * then `tail` more jobs that the index file does not cover, and stops without the clean-stop
 * index (a register that lost power: the boot replays the tail).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLog } from '../../firmware/core/log.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { ledgerCompaction } from '../../firmware/jobs/ledger-compaction.ts';
import { saveLedgerIndex } from '../../firmware/jobs/ledger-index-file.ts';
import { digestOf } from '../../firmware/jobs/job-digest.ts';
import { parsePayload } from '../../firmware/jobs/parse-job.ts';

const [dataDir = '', countArg = '0', tailArg = '0'] = process.argv.slice(2);
const ctx = { ffd: '1.2', inn: '7707083893', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], seller: {}, maxPayloadBytes: 262144, deviceId: 'rss' } as const;
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
const journal = new Journal<LedgerRecord>({ log: silentLog() }, { dir: join(dataDir, 'journal') });
const ledger = new JobLedger(journal);
await journal.open((r, place) => ledger.replay(r, place));

/** ATOL external ids are usually UUIDs: 36 characters, as a shop's cloud sends them. */
const idOf = (i: number): string => `5f0c2a1e-7b3d-4c9a-8e21-${String(i).padStart(12, '0')}`;

const parsed = parsePayload(Buffer.from(JSON.stringify(sample)), ctx);
if (parsed.kind !== 'job') throw new Error(JSON.stringify(parsed));
const outcome = parsed;

async function fill(from: number, to: number): Promise<void> {
  const at = Date.now();
  let batch: Promise<unknown>[] = [];
  for (let i = from; i < to; i++) {
    const id = idOf(i);
    batch.push(
      (async () => {
        await ledger.record({ k: 'accepted', id, at, job: { ...outcome.job, id }, digest: digestOf({ ...sample, id }), ...(outcome.echo ? { echo: { ...outcome.echo, external_id: id } } : {}) });
        const payload = { fns_site: 'www.nalog.gov.ru', fn_number: '9999078900005488', shift_number: 1, receipt_datetime: '23.11.2026 12:00:00', fiscal_document_number: i + 3, ecr_registration_number: '0000000001048928', fiscal_document_attribute: 123456789, ofd_inn: '7704211201' };
        await ledger.record({ k: 'finished', id, at, result: { version: 1, id, type: 'sell', status: 'done', device_id: 'rss', timestamp: '23.11.2026 12:00:00', payload } });
        await ledger.record({ k: 'reported', id, at });
      })(),
    );
    if (batch.length >= 1000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}

const count = Number(countArg);
await fill(0, count);
await journal.compact(ledgerCompaction(ledger));
await saveLedgerIndex(join(dataDir, 'ledger-index.bin'), join(dataDir, 'journal'), ledger.view, journal.segmentSizes());
await fill(count, count + Number(tailArg));
await journal.close();
console.log(JSON.stringify({ jobs: ledger.size, bytes: journal.stats.bytes }));
