/**
 * Issue 11 §3, ids that behave: the intake with a real ledger over an in-memory journal.
 * A refused job leaves its id free; an identical repeat gets the stored result; another job
 * under a held id gets `id_conflict` with the holder's summary (never its problems); every
 * answer names the job's id and type; a report request answers from the ledger.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { encode as encodeCbor } from 'cbor-x';
import { ManualClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { JobIntake } from '../../firmware/jobs/job-intake.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test data is edited freely

function rig() {
  const records: LedgerRecord[] = [];
  const ledger = new JobLedger(memoryJournal(records));
  const published: JobResult[] = [];
  const submitted: string[] = [];
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 9, 0));
  const intake = new JobIntake(
    { ledger, clock, localTime: localTimeIn('Europe/Moscow'), log: silentLog(), publish: (r) => published.push(r), submit: (id) => submitted.push(id) },
    { ...DEMO_JOB_CONTEXT, deviceId: 'test' },
  );
  const send = async (job: unknown): Promise<void> => void (await intake.handle(typeof job === 'string' ? new TextEncoder().encode(job) : job instanceof Uint8Array ? job : new TextEncoder().encode(JSON.stringify(job))));
  return { ledger, records, published, submitted, intake, send, clock };
}
const sell = (id: string): Json => ({ ...(JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Json), id });
const last = (list: JobResult[]): JobResult => list[list.length - 1] as JobResult;

const it = suite('job intake: ids');

it('a refused job does not use up its id: the fixed job is accepted under it', async () => {
  const r = rig();
  const bad = sell('fix-me');
  bad['receipt']['total'] = 1;
  await r.send(bad);
  assert.is(last(r.published).status, 'fail');
  assert.is(last(r.published).error?.code, 'invalid_job');
  assert.is(r.records.length, 0, 'nothing journaled for a refusal');
  await r.send(sell('fix-me'));
  assert.is(last(r.published).status, 'accepted');
  assert.equal(r.submitted, ['fix-me']);
});

it('two id spaces (issue 13 §2): the cloud cannot take a local id, and a local job lives beside a cloud job of the same name', async () => {
  const r = rig();
  await r.send(sell('local:pos-1/0'));
  assert.is(last(r.published).status, 'fail');
  assert.equal(last(r.published).error?.problems, [{ path: 'id', message: 'ids starting with "local:" belong to the register\'s local API' }]);
  assert.is(r.records.length, 0, 'nothing journaled');
  const local = await r.intake.handle(new TextEncoder().encode(JSON.stringify(sell('local:pos-1/0'))), 'local');
  assert.is(local?.status, 'accepted');
  const wrong = await r.intake.handle(new TextEncoder().encode(JSON.stringify(sell('pos-1'))), 'local');
  assert.is(wrong?.status, 'fail', 'a local job outside the local space is refused');
  await r.send(sell('pos-1'));
  assert.is(last(r.published).status, 'accepted', 'the cloud id pos-1 is free: the spaces are apart');
  assert.equal(r.submitted, ['local:pos-1/0', 'pos-1']);
});

it('an identical repeat (also as CBOR) gets the stored answer; another job under the id gets id_conflict', async () => {
  const r = rig();
  await r.send(sell('held'));
  await r.send(encodeCbor(sell('held')));
  assert.is(last(r.published).status, 'accepted', 'the repeat is answered with the current state');
  assert.is(r.intake.stats.duplicates, 1);
  await r.ledger.record({ k: 'finished', id: 'held', at: r.clock.now(), result: { version: 1, id: 'held', type: 'sell', status: 'done', device_id: 'test', timestamp: '01.06.2025 12:00:00', payload: { total: 985.8, fns_site: 'www.nalog.gov.ru', fn_number: '1', shift_number: 1, receipt_datetime: '01.06.2025 12:00:00', fiscal_document_number: 7, ecr_registration_number: '1', fiscal_document_attribute: 1, ofd_inn: '7704211201' } } });
  await r.send(sell('held'));
  assert.is(last(r.published).status, 'done');
  assert.is(last(r.published).payload?.fiscal_document_number, 7);

  const other = sell('held');
  other['receipt']['items'][0]['name'] = 'Другой товар';
  await r.send(other);
  const conflict = last(r.published);
  assert.is(conflict.status, 'fail');
  assert.is(conflict.id, 'held');
  assert.is(conflict.type, 'sell');
  assert.is(conflict.error?.code, 'id_conflict');
  assert.is(conflict.error?.problems, undefined, 'no problem list of another job');
  assert.equal({ ...conflict.error?.stored_job, accepted_at: 'x' }, { id: 'held', type: 'sell', status: 'done', accepted_at: 'x', fiscal_document_number: 7, total: 985.8 });

  const invalidUnderHeld = sell('held');
  invalidUnderHeld['receipt']['total'] = 'a lot';
  await r.send(invalidUnderHeld);
  assert.is(last(r.published).error?.code, 'id_conflict', 'a broken job under a held id is a conflict, not the holder');
  assert.equal(r.submitted, ['held'], 'one job went to the pipeline');
});

it('refusals name the id and the type: a valid type with bad content, a CBOR payload with a date', async () => {
  const r = rig();
  await r.send({ version: 1, id: 'refund-bad', type: 'sell_refund', receipt: { total: 'x' } });
  assert.equal([last(r.published).id, last(r.published).type, last(r.published).atol_status], ['refund-bad', 'sell_refund', 'fail']);
  await r.send(encodeCbor({ version: 1, id: 'cbor-date', type: 'buy', receipt: { when: new Date(0) } }));
  assert.equal([last(r.published).id, last(r.published).type], ['cbor-date', 'buy']);
});

it('a report request: each stored result or "unknown", then its own done; nothing journaled', async () => {
  const r = rig();
  await r.send(sell('known-1'));
  const before = r.records.length;
  r.published.length = 0;
  await r.send({ version: 1, id: 'ask-1', type: 'report', ids: ['known-1', 'never-seen'] });
  assert.equal(
    r.published.map((p) => [p.id, p.status]),
    [
      ['known-1', 'accepted'],
      ['never-seen', 'unknown'],
      ['ask-1', 'done'],
    ],
  );
  assert.is(r.published[2]?.type, 'report');
  assert.is(r.records.length, before);
  await r.send({ version: 1, id: 'ask-1', type: 'report', ids: ['known-1'] });
  assert.is(last(r.published).status, 'done', 'a report id is not held');
  r.published.length = 0;
  await r.send({ version: 1, id: 'known-1', type: 'report', ids: ['known-1'] });
  assert.equal(r.published.map((p) => [p.id, p.status, p.type]), [['known-1', 'accepted', 'sell']], 'a report under a job id: only the job\'s own answer');
});

it('ATOL echoes: external_id, callback_url and uuid on the accepted result and the stored one', async () => {
  const r = rig();
  const job = JSON.parse(readFileSync('test/fixtures/real/atol-v5-sell.json', 'utf8')) as Json;
  await r.send(job['job']);
  const accepted = last(r.published);
  assert.equal([accepted.id, accepted.external_id, accepted.callback_url, accepted.uuid, accepted.atol_status], ['real-atol5-1', 'real-atol5-1', 'https://cloud.example.ru/atol/callback', 'c8b2a6c4-7e39-4c5f-9b53-0b7a5d3c1e01', 'wait']);
  await r.ledger.record({ k: 'finished', id: 'real-atol5-1', at: r.clock.now(), result: { version: 1, id: 'real-atol5-1', type: 'sell', status: 'done', device_id: 'test', timestamp: '01.06.2025 12:00:00' } });
  const stored = await r.ledger.resultOf(r.ledger.get('real-atol5-1')!);
  assert.equal([stored?.external_id, stored?.callback_url, stored?.atol_status], ['real-atol5-1', 'https://cloud.example.ru/atol/callback', 'done']);
});

it('an old journal\'s "rejected" record does not hold its id', async () => {
  const r = rig();
  await r.ledger.record({ k: 'rejected', id: 'old-refusal', at: r.clock.now(), result: { version: 1, id: 'old-refusal', status: 'fail', device_id: 'test', timestamp: '01.06.2025 12:00:00' } });
  await r.send(sell('old-refusal'));
  assert.is(last(r.published).status, 'accepted');
});

it.run();
