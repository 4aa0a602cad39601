/** Schedules and the work queue on a stepped clock: no real time passes in these tests. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { silentLog } from '../../firmware/core/log.ts';
import { WorkQueue } from '../../firmware/core/work-queue.ts';
import { dailyAt, every } from '../../firmware/schedule/schedules.ts';
import { settle } from '../helpers/poll.ts';

const T = Date.UTC(2026, 10, 23, 10, 0, 30);

const clock = suite('stepped clock and schedules');

clock('ManualClock timers fire only when stepped, in due order, seeing their own time', () => {
  const c = new ManualClock(T);
  const seen: [string, number][] = [];
  c.after(200, () => seen.push(['b', c.now() - T]));
  c.after(100, () => {
    seen.push(['a', c.now() - T]);
    c.after(50, () => seen.push(['a+50', c.now() - T]));
  });
  const cancelled = c.after(120, () => seen.push(['cancelled', 0]));
  cancelled.cancel();
  c.advance(99);
  assert.equal(seen, []);
  c.advance(200);
  assert.equal(seen, [['a', 100], ['a+50', 150], ['b', 200]]);
  assert.is(c.now(), T + 299);
  assert.is(c.pending, 0);
});

clock('every(): runs each period, never two runs at once, stops', async () => {
  const c = new ManualClock(T);
  let runs = 0;
  let release: () => void = () => {};
  const s = every(c, 60_000, () => new Promise<void>((r) => ((runs++), (release = r))), silentLog());
  c.advance(59_999);
  assert.is(runs, 0);
  c.advance(1);
  assert.is(runs, 1);
  c.advance(5 * 60_000); // the first run is still going: nothing new starts
  assert.is(runs, 1);
  release();
  await settle();
  c.advance(60_000);
  assert.is(runs, 2);
  release();
  await settle();
  s.stop();
  c.advance(10 * 60_000);
  assert.is(runs, 2);
});

clock('dailyAt(): at the local time each day, in the register time zone', async () => {
  const c = new ManualClock(Date.UTC(2026, 10, 23, 20, 0)); // 23:00 in Moscow (UTC+3)
  const at: string[] = [];
  const s = dailyAt(c, localTimeIn('Europe/Moscow'), '23:55', async () => void at.push(new Date(c.now()).toISOString()), silentLog());
  c.advance(54 * 60_000);
  assert.equal(at, []);
  c.advance(60_000);
  await settle();
  c.advance(24 * 3600_000);
  await settle();
  s.stop();
  assert.equal(at, ['2026-11-23T20:55:00.000Z', '2026-11-24T20:55:00.000Z']);
});

clock.run();

const queue = suite('work queue on a stepped clock');

queue('in order, one at a time; a key is queued once', async () => {
  const c = new ManualClock(T);
  const done: string[] = [];
  const q = new WorkQueue<string>(c, async (item) => (done.push(item), 'done'), { retryMs: 100, key: (i) => i });
  assert.ok(q.add('a'));
  assert.not.ok(q.add('a'));
  q.add('b');
  await q.idle();
  assert.equal(done, ['a', 'b']);
});

queue('a failing head is retried after a doubling pause, then the next one runs', async () => {
  const c = new ManualClock(T);
  const tries: number[] = [];
  let failures = 2;
  const q = new WorkQueue<string>(
    c,
    async (item) => {
      tries.push(c.now() - T);
      if (item === 'a' && failures-- > 0) throw new Error('no answer');
      return 'done';
    },
    { retryMs: 100, maxRetryMs: 1000 },
  );
  q.add('a');
  q.add('b');
  await settle();
  c.advance(100);
  await settle();
  c.advance(199);
  await settle();
  assert.equal(tries, [0, 100], 'the second pause is 200 ms');
  c.advance(1);
  await q.idle();
  assert.equal(tries, [0, 100, 300, 300]);
});

queue('stop() resolves once the item in progress is done; what is queued stays queued', async () => {
  const c = new ManualClock(T);
  let finishWork: () => void = () => {};
  const worked: string[] = [];
  const q = new WorkQueue<string>(
    c,
    async (item) => {
      await new Promise<void>((r) => (finishWork = r));
      worked.push(item);
      return 'done';
    },
    { retryMs: 100 },
  );
  assert.is(await Promise.race([new WorkQueue<string>(c, async () => 'done', { retryMs: 100 }).stop().then(() => 'stopped'), settle().then(() => 'waiting')]), 'stopped', 'an idle queue stops at once');
  q.add('a');
  q.add('b');
  let stopped = false;
  const stopping = q.stop().then(() => void (stopped = true));
  await settle();
  assert.not.ok(stopped, 'not while "a" is in progress');
  finishWork();
  await stopping;
  assert.equal(worked, ['a']);
  assert.is(q.length, 1, '"b" stays queued');
});

queue("'wait' keeps the head until the pause ends or wake() ends it", async () => {
  const c = new ManualClock(T);
  let ready = false;
  let looks = 0;
  const q = new WorkQueue<string>(c, async () => (looks++, ready ? 'done' : 'wait'), { retryMs: 1000 });
  q.add('paper');
  await settle();
  c.advance(1000);
  await settle();
  assert.is(looks, 2);
  ready = true;
  q.wake();
  await q.idle();
  assert.is(looks, 3);
  assert.is(q.length, 0);
});

queue.run();
