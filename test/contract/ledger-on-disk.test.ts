/**
 * History on disk, memory flat (issue 9 §5): the job ledger over the real journal keeps a
 * finished job as a small row and reads its result back; compaction moves records and the
 * rows follow; the index file brings the same ledger back after a restart; retention forgets
 * old jobs while the register runs, on the injected clock.
 */
import { decode, Encoder } from 'cbor-x';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { JobIntake } from '../../firmware/jobs/job-intake.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { ledgerCompaction } from '../../firmware/jobs/ledger-compaction.ts';
import { loadLedgerIndex, saveLedgerIndex } from '../../firmware/jobs/ledger-index-file.ts';
import { Journal } from '../../firmware/journal/journal.ts';
import { every } from '../../firmware/schedule/schedules.ts';
import { RETENTION_MS } from '../../firmware/schedule/schedule-wiring.ts';
import { INDEX_REFRESH_RECORDS, LedgerWing } from '../../firmware/jobs/ledger-wiring.ts';
import { removeDir, testConfig } from '../helpers/app-rig.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';
import { pollUntil } from '../helpers/poll.ts';

const it = suite('job ledger: history on disk');
const DAY = 86400_000;
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

async function openRegister(dir: string, clock: ManualClock) {
  const journal = new Journal<LedgerRecord>({ log: silentLog() }, { dir: join(dir, 'journal'), segmentBytes: 4096 });
  const ledger = new JobLedger(journal);
  const saved = await loadLedgerIndex(join(dir, 'index.bin'), join(dir, 'journal'));
  if (saved) ledger.restore(saved);
  await journal.open((r, place) => ledger.replay(r, place), saved?.last);
  const published: JobResult[] = [];
  const intake = new JobIntake({ ledger, clock, localTime: localTimeIn('Europe/Moscow'), log: silentLog(), publish: (r) => published.push(r), submit: () => {} }, { ...DEMO_JOB_CONTEXT, deviceId: 'test' });
  const send = (id: string, extra: Record<string, unknown> = {}) => intake.handle(Buffer.from(JSON.stringify({ ...sample, id, ...extra })));
  const finish = (id: string) => ledger.record({ k: 'finished', id, at: clock.now(), result: { version: 1, id, type: 'sell', status: 'done', device_id: 'test', timestamp: '01.06.2025 12:00:00', payload: { fiscal_document_number: id.length } as never } });
  const save = () => saveLedgerIndex(join(dir, 'index.bin'), join(dir, 'journal'), ledger.view, journal.segmentSizes());
  return { journal, ledger, published, send, finish, save, fromIndex: saved !== undefined };
}

/**
 * Everything the ledger shows of every job, by id. (A whole fold of a compacted journal may
 * number finished jobs after the unfinished ones: `seq` is compared among unfinished jobs only,
 * whose order the pipeline works in.)
 */
function shown(ledger: JobLedger, withSeq = true) {
  const unfinished = ledger.unfinished().map((e) => e.id);
  return { unfinished, jobs: [...ledger.ids()].sort().map((id) => ({ ...ledger.get(id), ...(withSeq ? {} : { seq: 0 }) })) };
}

it('a duplicate of a job whose result is only on disk gets the identical stored result, after compaction and a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-disk-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  try {
    const a = await openRegister(dir, clock);
    for (let i = 0; i < 40; i++) {
      await a.send(`job-${i}`);
      await a.finish(`job-${i}`);
    }
    const first = await a.send('job-7');
    assert.is(a.ledger.get('job-7')?.resultJson, undefined, 'no result in memory');
    assert.ok(a.journal.stats.segments > 2, 'the history spans segments');
    await a.journal.compact(ledgerCompaction(a.ledger));
    const afterCompaction = await a.send('job-7');
    assert.equal(afterCompaction, first, 'read back from the compacted segment');
    const conflict = await a.send('job-7', { total: 1 });
    assert.is(conflict, undefined);
    assert.is(a.published[a.published.length - 1]?.error?.code, 'id_conflict', 'another job under the id is still told apart (digest read back)');
    await a.save();
    const before = shown(a.ledger);
    await a.journal.close();

    const b = await openRegister(dir, clock);
    assert.ok(b.fromIndex, 'the boot used the index file');
    assert.equal(shown(b.ledger), before, 'the index after restart equals the index before');
    assert.equal(await b.send('job-7'), first);
    assert.is((await b.send('job-39'))?.payload?.fiscal_document_number, 6, 'its own stored result');
    await b.journal.close();
  } finally {
    removeDir(dir);
  }
});

it('a power cut never leaves the boot more than INDEX_REFRESH_RECORDS records to replay: the index file is written again as records pile up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-refresh-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const config = testConfig('mqtt://127.0.0.1:1', dir);
  try {
    const a = new LedgerWing(config, { log: silentLog() });
    await a.start();
    const jobs = Math.ceil((2.5 * INDEX_REFRESH_RECORDS) / 3);
    for (let i = 0; i < jobs; i++) {
      const id = `job-${i}`;
      await a.ledger.record({ k: 'accepted', id, at: clock.now(), job: { id, type: 'sell' } as never });
      await a.ledger.record({ k: 'finished', id, at: clock.now(), result: { version: 1, id, type: 'sell', status: 'done', device_id: 'test', timestamp: '01.06.2025 12:00:00', payload: {} as never } });
      await a.ledger.record({ k: 'reported', id, at: clock.now() });
    }
    await pollUntil(() => a.describe()['indexSaves'] === 2, { timeoutMs: 10_000, what: 'two index refreshes' });
    const appended = a.journal.stats.appends;
    assert.equal(appended, 3 * jobs);
    const before = shown(a.ledger);
    // The power cut: the journal is dropped as it is, no index file written at stop.
    await a.journal.close();
    const b = new LedgerWing(config, { log: silentLog() });
    await b.start();
    const boot = b.describe()['boot'] as { fromIndex: boolean; replayed: number };
    assert.ok(boot.fromIndex, 'booted from the refreshed index file');
    assert.ok(boot.replayed <= INDEX_REFRESH_RECORDS, `replayed ${boot.replayed} records, at most ${INDEX_REFRESH_RECORDS}`);
    // The second refresh covers the records up to the 3 000th (the last one may still be in flight when it starts).
    assert.ok(boot.replayed >= appended - 2 * INDEX_REFRESH_RECORDS, `replayed ${boot.replayed}: nothing the index file lacks is skipped`);
    assert.equal(shown(b.ledger), before);
    assert.equal(b.ledger.get(`job-${jobs - 1}`)?.status, 'done');
    await b.stop();
  } finally {
    removeDir(dir);
  }
});

it('after a crash (no index file written since), the boot folds the journal to the same ledger', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-disk-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  try {
    const a = await openRegister(dir, clock);
    for (let i = 0; i < 10; i++) await a.send(`job-${i}`);
    await a.save();
    for (let i = 0; i < 5; i++) await a.finish(`job-${i}`);
    const before = shown(a.ledger);
    await a.journal.close();
    const b = await openRegister(dir, clock);
    assert.ok(b.fromIndex, 'the index file still describes the journal: the tail after it is replayed');
    assert.equal(shown(b.ledger), before);
    await b.journal.compact(ledgerCompaction(b.ledger));
    await b.journal.close();
    const c = await openRegister(dir, clock);
    assert.not.ok(c.fromIndex, 'a compaction since the index file was written: the whole journal is folded');
    assert.equal(shown(c.ledger, false), { ...before, jobs: before.jobs.map((j) => ({ ...j, seq: 0 })) });
    await c.journal.close();
  } finally {
    removeDir(dir);
  }
});

it('retention while running: a periodic task on the injected clock forgets jobs past keepDays and compaction drops them from disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-disk-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const keepMs = 2 * DAY;
  try {
    const a = await openRegister(dir, clock);
    await a.send('old');
    await a.finish('old');
    const retention = every(clock, RETENTION_MS, async () => {
      a.ledger.forgetExpired(clock.now(), keepMs);
      await a.journal.compact(ledgerCompaction(a.ledger));
    }, silentLog());
    clock.advance(DAY);
    await a.send('new');
    await a.finish('new');
    assert.ok(a.ledger.get('old'), 'within keepDays');
    // Step the clock one period at a time, letting each run of the task finish (it re-arms after).
    for (let t = 0; t <= DAY / RETENTION_MS; t++) {
      clock.advance(RETENTION_MS);
      await pollUntil(() => a.journal.describe()['compacting'] === false, { timeoutMs: 5000, what: 'the compaction to finish' });
      await new Promise((r) => setImmediate(r));
    }
    assert.is(a.ledger.get('old'), undefined, 'forgotten while running');
    assert.ok(a.ledger.get('new'));
    assert.is((await a.send('old'))?.status, 'accepted', 'its id is free again');
    retention.stop();
    await a.journal.close();
    const b = await openRegister(dir, clock);
    assert.equal(b.ledger.ids(), ['new', 'old'], 'the forgotten job is gone from disk too; the new one under its id stays');
    await b.journal.close();
  } finally {
    removeDir(dir);
  }
});

/** Ids of every form the index file stores differently, and two whose 32-bit hashes are equal (test/unit/finished-jobs.test.ts). */
const ODD_IDS = ['order-mug4f5lj3x', 'order-0nf2u1nb0k', '5F0C2A1E-7B3D-4C9A-8E21-00000000BEEF', '5f0c2a1e-7b3d-4c9a-8e21-00000000beef', 'заказ-№17', 'чек 🧾 1'];

it('the index file brings back ids of every form exactly; an old-version or damaged file is not used and the journal is folded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-disk-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const index = join(dir, 'index.bin');
  try {
    const a = await openRegister(dir, clock);
    for (const id of ODD_IDS) {
      await a.send(id);
      await a.finish(id);
    }
    await a.send('in-work');
    assert.ok(await a.save());
    const before = shown(a.ledger);
    await a.journal.close();
    const saved = readFileSync(index);

    const b = await openRegister(dir, clock);
    assert.ok(b.fromIndex);
    assert.equal(shown(b.ledger), before);
    assert.is((await b.send(ODD_IDS[1] ?? ''))?.payload?.fiscal_document_number, ODD_IDS[1]?.length, 'a repeat of the colliding id gets its own stored result');
    await b.journal.close();

    const damaged = Buffer.from(saved);
    damaged[40] = (damaged[40] ?? 0) ^ 0x01; // inside the raw columns
    const oldVersion = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true }).encode({ v: 1, after: { seq: 1, offset: 0 }, afterId: ODD_IDS[0], segments: [], seq: 0, live: [], finished: { ids: [] } });
    for (const [what, bytes] of [['damaged', damaged], ['version 1', oldVersion]] as const) {
      writeFileSync(index, bytes);
      const c = await openRegister(dir, clock);
      assert.not.ok(c.fromIndex, `a ${what} index file is not used`);
      assert.equal(shown(c.ledger, false), { ...before, jobs: before.jobs.map((j) => ({ ...j, seq: 0 })) }, `${what}: the folded journal gives the same ledger`);
      await c.journal.close();
    }
  } finally {
    removeDir(dir);
  }
});

it('jobs still queued come back from the index file with their jobs, read from the journal: accepted records and compaction snapshots alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-ledger-live-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const index = join(dir, 'index.bin');
  try {
    const a = await openRegister(dir, clock);
    for (let i = 0; i < 40; i++) await a.send(`queued-${i}`);
    await a.finish('queued-0');
    const asSent = shown(a.ledger);
    // Compaction rewrites the queued jobs' records as snapshots (4 KiB segments: most of them move).
    await a.journal.compact(ledgerCompaction(a.ledger));
    assert.ok(await a.save());
    const before = shown(a.ledger);
    assert.equal(before, asSent, 'compaction changed nothing the ledger shows');
    await a.journal.close();
    // 40 jobs of ~500 bytes each would be ~20 KB: the file holds their places, not their jobs.
    assert.ok(statSync(index).size < 8000, `index file of ${statSync(index).size} bytes`);

    const b = await openRegister(dir, clock);
    assert.ok(b.fromIndex);
    assert.equal(shown(b.ledger), before, 'every queued job whole, as it was');
    assert.is(b.ledger.unfinished().length, 39);
    await b.journal.close();

    // An index file whose queued job points at another job's record: not used, the journal is folded.
    const file = readFileSync(index);
    const header = new Uint32Array(file.buffer.slice(file.byteOffset, file.byteOffset + 32));
    const metaBytes = header[5] ?? 0;
    const meta = decode(file.subarray(file.length - metaBytes)) as { live: [{ id: string }, number, number, number?][] };
    const [first, second] = meta.live.filter((row) => row[3] === 1);
    assert.ok(first && second, 'two queued jobs saved by their places');
    [first[1], first[2], second[1], second[2]] = [second[1], second[2], first[1], first[2]];
    const swapped = new Encoder({ structuredClone: false, useRecords: false, mapsAsObjects: true }).encode(meta);
    header[5] = swapped.length;
    writeFileSync(index, Buffer.concat([Buffer.from(header.buffer), file.subarray(32, file.length - metaBytes), swapped]));
    const c = await openRegister(dir, clock);
    assert.not.ok(c.fromIndex, 'places that hold other jobs: the index is not used');
    assert.equal(shown(c.ledger, false), { ...before, jobs: before.jobs.map((j) => ({ ...j, seq: 0 })) });
    await c.journal.close();
  } finally {
    removeDir(dir);
  }
});

it.run();
