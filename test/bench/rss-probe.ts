/**
 * Child process of the jobs benchmark: fills a data dir with `count` finished jobs in the
 * journal (as the ledger writes them), starts the register on it, and prints its RSS.
 * Usage: node --import tsx test/bench/rss-probe.ts <brokerUrl> <count>
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLog } from '../../firmware/core/log.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import type { LedgerRecord } from '../../firmware/pipeline/job-ledger.ts';
import { parseJobPayload } from '../../firmware/jobs/parse-job.ts';
import { startAppRig } from '../helpers/app-rig.ts';

const [brokerUrl = '', countText = '100000'] = process.argv.slice(2);
const count = Number(countText);
const dataDir = mkdtempSync(join(tmpdir(), 'kassa-rss-'));
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
  writes.push(journal.append({ k: 'accepted', id, at, job }));
  writes.push(
    journal.append({
      k: 'finished',
      id,
      at,
      result: { version: 1, id, type: 'sell', status: 'done', device_id: 'rss', timestamp: '23.11.2026 12:00:00', payload: { fns_site: 'www.nalog.gov.ru', fn_number: '9999078900005488', shift_number: 1, receipt_datetime: '23.11.2026 12:00:00', fiscal_document_number: i + 3, ecr_registration_number: '0000000001048928', fiscal_document_attribute: 123456789, ofd_inn: '7704211201' } },
    }),
  );
  if (writes.length >= 2000) await Promise.all(writes.splice(0));
}
await Promise.all(writes);
await journal.close();
const t0 = performance.now();
const rig = await startAppRig(brokerUrl, {}, dataDir);
const bootMs = performance.now() - t0;
(globalThis as { gc?: () => void }).gc?.();
const rss = process.memoryUsage().rss;
console.log(JSON.stringify({ jobs: rig.app.ledger.size, rssBytes: rss, bootMs }));
await rig.stop();
rmSync(dataDir, { recursive: true, force: true });
