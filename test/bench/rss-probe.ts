/**
 * Child process of the jobs benchmark, in two runs so that the filling does not inflate the
 * figure: `fill <dir> <count>` writes `count` finished jobs into a data dir's journal, as the
 * ledger writes them; `measure <dir> <brokerUrl>` starts the register on it and prints its RSS.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLog } from '../../firmware/core/log.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import type { LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { digestOf, parseJobPayload } from '../../firmware/jobs/parse-job.ts';
import { startAppRig } from '../helpers/app-rig.ts';

const [mode = '', dataDir = '', arg = ''] = process.argv.slice(2);
if (mode === 'measure') {
  const t0 = performance.now();
  const rig = await startAppRig(arg, {}, dataDir);
  const bootMs = performance.now() - t0;
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  console.log(JSON.stringify({ jobs: rig.app.ledger.size, rssBytes: process.memoryUsage().rss, heapBytes: process.memoryUsage().heapUsed, bootMs }));
  await rig.stop();
  process.exit(0);
}
const count = Number(arg);
const ctx = { ffd: '1.2', inn: '7707083893', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], seller: {}, maxPayloadBytes: 262144 } as const;
const outcome = parseJobPayload(readFileSync('device-config/samples/sell-atol.json'), ctx);
if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems));
const journal = new Journal<LedgerRecord>({ log: silentLog() }, { dir: join(dataDir, 'journal') });
await journal.open();
const at = Date.now();
const writes: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  const id = `rss-${i}`;
  const job = { ...outcome.job, id };
  // As the intake writes it since issue 11: with the content digest a repeat is told by.
  writes.push(journal.append({ k: 'accepted', id, at, job, digest: digestOf({ id, n: i }) }));
  writes.push(
    journal.append({
      k: 'finished',
      id,
      at,
      result: { version: 1, id, type: 'sell', status: 'done', device_id: 'rss', timestamp: '23.11.2026 12:00:00', payload: { fns_site: 'www.nalog.gov.ru', fn_number: '9999078900005488', shift_number: 1, receipt_datetime: '23.11.2026 12:00:00', fiscal_document_number: i + 3, ecr_registration_number: '0000000001048928', fiscal_document_attribute: 123456789, ofd_inn: '7704211201' } },
    }),
  );
  writes.push(journal.append({ k: 'reported', id, at }));
  if (writes.length >= 3000) await Promise.all(writes.splice(0));
}
await Promise.all(writes);
await journal.close();
