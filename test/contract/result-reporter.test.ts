/**
 * The result reporter's sweep (result-reporter.ts): a final result whose PUBACK never came
 * (lost in a reconnect) is sent again while the link is up, and not while it is down; once
 * the broker acknowledges it, the ledger notes it and the sweep stops sending it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { ResultReporter } from '../../firmware/jobs/result-reporter.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { settle, stepUntil } from '../helpers/poll.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';

const it = suite('result reporter sweep');

it('an unacknowledged final result is sent again while connected, until the broker acknowledges it', async () => {
  const records: LedgerRecord[] = [];
  const ledger = new JobLedger(memoryJournal(records));
  // Stepped: the sweep runs when the test moves the clock, not after real sleeps.
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 9, 0));
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
    await settle();
    clock.advance(120); // three sweeps
    await settle();
    assert.is(sent.length, 1, 'nothing sent again while the link is down');
    connected = true;
    clock.advance(40); // one sweep: the result is older than a sweep period
    await settle();
    assert.is(sent.length, 2, 'sent again at the first sweep while connected');
    clock.advance(40); // a window still waits for its lost PUBACK: no pile-up of publishes
    await settle();
    assert.is(sent.length, 2, 'no second window while the first waits for its PUBACK');
    clock.advance(20); // the window's 60 ms are up: it gives up on the lost PUBACK
    await settle();
    clock.advance(20); // and the next sweep sends again
    await settle();
    assert.is(sent.length, 3, 'sent again once the window with the lost PUBACK timed out');
    acknowledge = true;
    await stepUntil(clock, () => ledger.get('j1')?.reported === true, { stepMs: 20, maxMs: 200, what: 'the acknowledgement noted in the ledger' });
    const afterAck = sent.length;
    for (let i = 0; i < 10; i++) {
      clock.advance(40);
      await settle();
    }
    assert.is(sent.length, afterAck, 'and the sweep stops sending it');
  } finally {
    reporter.stop();
  }
});

it.run();
