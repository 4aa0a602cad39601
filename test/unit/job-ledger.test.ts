/** The job ledger's fold (firmware/jobs/job-ledger.ts): records in, one entry per job out. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { sellJob } from '../helpers/pipeline-rig.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';
import { receiptFiscal } from '../helpers/fiscal-fixtures.ts';

const test = suite('job ledger fold');
const fiscal = receiptFiscal({ rnm: '0000000001012345', ofdInn: '7704211201' }, { fd: 7, fpd: 1234 });
const done: JobResult = { version: 1, id: 'a', device_id: 'd', timestamp: '23.11.2026 10:00:00', status: 'done' };

/** The ledger over an in-memory journal that holds `records`, folded as a boot would. */
function fold(records: readonly LedgerRecord[]): JobLedger {
  const held = [...records];
  const ledger = new JobLedger(memoryJournal(held));
  held.forEach((r, offset) => ledger.replay(r, { seq: 1, offset }));
  return ledger;
}

const lifeOfA: LedgerRecord[] = [
  { k: 'accepted', id: 'a', at: 1, job: sellJob('a') },
  { k: 'forming', id: 'a', at: 2, forming: { fdBefore: 6, fdType: 3, operationType: 1, totalKopecks: 100 } },
  { k: 'fiscalized', id: 'a', at: 3, fiscal },
  { k: 'printed', id: 'a', at: 4 },
  { k: 'finished', id: 'a', at: 5, result: done },
];

test('each record moves the entry one step; a finished job keeps only its result', async () => {
  const statuses = lifeOfA.map((_, i) => fold(lifeOfA.slice(0, i + 1)).get('a')?.status);
  assert.equal(statuses, ['accepted', 'in_progress', 'fiscalized_not_printed', 'fiscalized_not_printed', 'done']);
  const a = fold(lifeOfA).get('a');
  assert.is(a?.job, undefined, 'the receipt is not kept once finished');
  // Kept on disk, read back (issue 9 §5): the entry in memory has no result of its own.
  assert.is(a?.resultJson, undefined);
  assert.equal(await fold(lifeOfA).resultOf(a!), { ...done, type: 'sell', atol_status: 'done' });
  assert.is((await fold(lifeOfA).stored(a!)).resultJson, JSON.stringify(done));
  assert.is(a?.reported, false);
  assert.is(fold([...lifeOfA, { k: 'reported', id: 'a', at: 6 }]).get('a')?.reported, true);
});

test('"unformed" drops the forming mark: the job is accepted again', () => {
  const e = fold([...lifeOfA.slice(0, 2), { k: 'unformed', id: 'a', at: 3 }]).get('a');
  assert.is(e?.status, 'accepted');
  assert.is(e?.forming, undefined);
});

test('unfinished jobs in acceptance order; finished and rejected ones are not', () => {
  const ledger = fold([
    { k: 'accepted', id: 'b', at: 10, job: sellJob('b') },
    ...lifeOfA,
    { k: 'accepted', id: 'c', at: 11, job: sellJob('c') },
    { k: 'rejected', id: 'x', at: 12, result: { ...done, id: 'x', status: 'fail' } },
  ]);
  assert.equal(ledger.unfinished().map((e) => e.id), ['b', 'c']);
  assert.equal(ledger.ids(), ['b', 'a', 'c', 'x']);
  assert.equal(ledger.counts(), { accepted: 2, in_progress: 0, fiscalized_not_printed: 0, done: 1, fail: 1 });
});

test('a snapshot and the records it already holds fold to the same entry', () => {
  const direct = fold(lifeOfA.slice(0, 3)).get('a');
  assert.ok(direct);
  const again = fold([{ k: 'snapshot', id: 'a', at: 3, entry: direct }, lifeOfA[2]!]).get('a');
  // Only the place in acceptance order may differ (a fresh ledger numbers from its own count).
  assert.equal({ ...again, seq: 0 }, { ...direct, seq: 0 });
});

test('retention while running: finished jobs past it are forgotten, unfinished ones never', () => {
  const ledger = fold([...lifeOfA, { k: 'accepted', id: 'old-unfinished', at: 0, job: sellJob('old-unfinished') }]);
  const day = 86400_000;
  assert.is(ledger.forgetExpired(5 + day, day), 0, 'not yet');
  assert.is(ledger.forgetExpired(6 + day, day), 1);
  assert.is(ledger.get('a'), undefined);
  assert.ok(ledger.get('old-unfinished'), 'an unfinished job is kept, however old');
});

test('unreported(): the finished jobs the broker has not acknowledged, in acceptance order; none in work', () => {
  const life = (id: string): LedgerRecord[] => lifeOfA.map((r) => (r.k === 'finished' ? { ...r, id, result: { ...done, id } } : { ...r, id, ...(r.k === 'accepted' ? { job: sellJob(id) } : {}) }) as LedgerRecord);
  const ledger = fold([...life('c'), ...life('a'), { k: 'reported', id: 'a', at: 9 }, ...life('b'), { k: 'accepted', id: 'w', at: 10, job: sellJob('w') }]);
  assert.equal(
    ledger.unreported().map((e) => e.id),
    ['c', 'b'],
  );
});

test('a record of a kind a later release writes is read past: a rolled-back release boots, the job as its own records left it', () => {
  const later = { k: 'printing_started', id: 'a', at: 4 } as unknown as LedgerRecord; // not a kind of this release
  const ledger = fold([...lifeOfA.slice(0, 3), later]);
  assert.is(ledger.get('a')?.status, 'fiscalized_not_printed');
  assert.is(ledger.get('a')?.fiscal?.fd, 7);
  assert.is(fold([later]).get('a'), undefined, 'no job made up from it');
  assert.is(fold([...lifeOfA, later]).get('a')?.status, 'done', 'nor a finished one reopened');
});

test.run();
