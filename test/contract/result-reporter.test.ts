/**
 * The result reporter's sweep (result-reporter.ts): a final result whose PUBACK never came
 * (lost in a reconnect) is sent again while the link is up, and not while it is down; once
 * the broker acknowledges it, the ledger notes it and the sweep stops sending it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../../firmware/core/clock.ts';
import { ResultReporter } from '../../firmware/jobs/result-reporter.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';

const it = suite('result reporter sweep');

it('an unacknowledged final result is sent again while connected, until the broker acknowledges it', async () => {
  const records: LedgerRecord[] = [];
  const ledger = new JobLedger(memoryJournal(records));
  const clock = systemClock();
  let connected = false;
  let acknowledge = false;
  const sent: string[] = [];
  const reporter = new ResultReporter(
    {
      // The first publishes lose their PUBACK (never resolve); later ones are acknowledged once allowed.
      publish: (_topic, payload) => {
        sent.push(payload);
        return acknowledge ? Promise.resolve() : new Promise(() => {});
      },
      connected: () => connected,
      ledger,
      clock,
      log: testLog(),
    },
    'kassa/test/results',
    { sweepMs: 40, windowTimeoutMs: 60 },
  );
  const result = { version: 1 as const, id: 'j1', type: 'sell', status: 'done' as const, device_id: 'test', timestamp: '23.11.2026 12:00:00' };
  await ledger.record({ k: 'accepted', id: 'j1', at: clock.now(), job: { id: 'j1', type: 'x_report' } });
  await ledger.record({ k: 'finished', id: 'j1', at: clock.now(), result });
  reporter.start();
  try {
    reporter.report(result);
    await new Promise((r) => setTimeout(r, 150));
    assert.is(sent.length, 1, 'nothing sent again while the link is down');
    connected = true;
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(sent.length >= 2, `sent again while connected (${sent.length} sends)`);
    acknowledge = true;
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(ledger.get('j1')?.reported, 'the acknowledgement is noted');
    const afterAck = sent.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.is(sent.length, afterAck, 'and the sweep stops sending it');
  } finally {
    reporter.stop();
  }
});

it.run();
