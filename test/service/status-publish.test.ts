/**
 * The status topic's timing (status-wiring.ts) over a real FN emulator, on the injected clock:
 * at most once a second on activity, the last change of a busy second sent a second after the
 * publish before it — a forced publish (a reconnection) in between included — and nothing
 * after "offline". The link is a stand-in that keeps what would go to the broker.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Listeners } from '../../drivers/port.ts';
import { JobLedger } from '../../firmware/jobs/job-ledger.ts';
import { ShiftKeeper } from '../../firmware/pipeline/shift-keeper.ts';
import { StatusWing, type StatusLink } from '../../firmware/status/status-wiring.ts';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import type { ManualClock } from '../../firmware/core/clock.ts';
import type { FirmwareStatus } from '../../firmware/status/device-status.ts';
import { registeredRig } from '../helpers/fn-session.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';
import { settle, stepUntil } from '../helpers/poll.ts';

const test = suite('status: when it is published');

interface Sent {
  readonly at: number;
  readonly state: string;
  readonly queued?: number;
}

async function rig(): Promise<{ wing: StatusWing; link: StatusLink; sent: Sent[]; queued: { n: number }; clock: ManualClock; close(): Promise<void> }> {
  const fn = await registeredRig('1.2', { device: { checkTimer: false } });
  const sent: Sent[] = [];
  const queued = { n: 0 };
  const link = {
    activity: new Listeners<[{ readonly connected: boolean }]>(),
    connected: true,
    topics: { status: 'kassa/t/status' },
    async publish(_topic: string, payload: string) {
      const s = JSON.parse(payload) as { state: string; jobs?: { queued?: number } };
      sent.push({ at: fn.clock.now(), state: s.state, ...(s.jobs?.queued !== undefined ? { queued: s.jobs.queued } : {}) });
    },
  };
  const shifts = new ShiftKeeper({ fn: fn.fn, log: testLog(), recall: () => undefined, remember: async () => {} }, { ffd: '1.2', maxOpenMinutes: 1430 });
  const wing = new StatusWing(parseConfig(readFileSync('device-config/demo.json', 'utf8'), 'demo'), {
    fn: fn.fn,
    shifts,
    ledger: new JobLedger(memoryJournal()),
    jobs: link,
    clock: fn.clock,
    now: () => Math.floor(fn.clock.now() / 1000),
    queued: () => queued.n,
    links: () => ({}),
    firmware: (): FirmwareStatus => ({ version: 'test', commit: 'test', slot: null, update: null }),
  });
  return { wing, link, sent, queued, clock: fn.clock, close: () => fn.close() };
}

test('a busy second: the first change at once, the last a second later; a reconnection in between moves it a second on', async () => {
  const r = await rig();
  try {
    const t0 = r.clock.now();
    r.wing.start(); // connected: at once
    await stepUntil(r.clock, () => r.sent.length === 1, { stepMs: 10, maxMs: 500, what: 'the first status' });
    r.clock.advance(1500);
    r.queued.n = 1;
    r.link.activity.emit({ connected: false }); // more than a second later: at once
    await stepUntil(r.clock, () => r.sent.length === 2, { stepMs: 10, maxMs: 500, what: 'the second status' });
    r.queued.n = 2;
    r.link.activity.emit({ connected: false }); // within the second: later
    await settle();
    assert.is(r.sent.length, 2, 'not at once');
    r.clock.advance(200);
    r.queued.n = 3;
    r.link.activity.emit({ connected: true }); // a reconnection: at once
    await stepUntil(r.clock, () => r.sent.length === 3, { stepMs: 1, maxMs: 100, what: 'the forced status' });
    r.queued.n = 4;
    r.link.activity.emit({ connected: false }); // a job ends: its change must go out
    await stepUntil(r.clock, () => r.sent.at(-1)?.queued === 4, { stepMs: 10, maxMs: 3000, what: 'the last change published' });
    const last = r.sent.at(-1)!;
    const forced = r.sent[2]!;
    assert.ok(last.at - forced.at >= 1000, `a second after the forced one (${last.at - forced.at} ms)`);
    assert.ok(last.at - t0 < 5000);
  } finally {
    await r.wing.stop();
    await r.close();
  }
});

test('stopped while a status is being gathered: "offline" is the last word', async () => {
  const r = await rig();
  try {
    r.wing.start();
    await stepUntil(r.clock, () => r.sent.length === 1, { stepMs: 10, maxMs: 500, what: 'the first status' });
    r.clock.advance(1500);
    r.link.activity.emit({ connected: false }); // starts gathering (an FN read)
    await r.wing.stop();
    await stepUntil(r.clock, () => false, { stepMs: 10, maxMs: 2000, what: 'time to pass' }).catch(() => undefined);
    assert.is(r.sent.at(-1)?.state, 'offline', JSON.stringify(r.sent));
  } finally {
    await r.close();
  }
});

test.run();
