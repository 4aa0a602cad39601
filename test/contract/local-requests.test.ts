/**
 * The local API's request store (issue 13) over the real ledger and the real intake; the
 * pipeline is a plain FIFO of job ids with the pipeline's withdraw rule (the head, once
 * started, stays). What a retail program sees for whole, refused, repeated, cut-off,
 * canceled and interrupted requests.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../firmware/core/clock.ts';
import { localTimeIn } from '../../firmware/core/local-time.ts';
import { JobIntake } from '../../firmware/jobs/job-intake.ts';
import { JobLedger, type LedgerRecord } from '../../firmware/jobs/job-ledger.ts';
import type { JobResult } from '../../firmware/jobs/job-result.ts';
import { LocalApiServer } from '../../firmware/local-api/local-api-server.ts';
import { LocalRequests } from '../../firmware/local-api/local-requests.ts';
import { networkInterfaces } from 'node:os';
import { silentLog } from '../../firmware/core/log.ts';
import { DEMO_JOB_CONTEXT } from '../helpers/job-context.ts';
import { settle } from '../helpers/poll.ts';
import { memoryJournal } from '../helpers/memory-journal.ts';

const sell = (rub: number): Record<string, unknown> => ({
  type: 'sell',
  taxationType: 'osn',
  items: [{ type: 'position', name: 'Товар', price: rub, quantity: 1, amount: rub, paymentMethod: 'fullPayment', tax: { type: 'vat20' } }],
  payments: [{ type: 'cash', sum: rub }],
});

function rig() {
  const records: LedgerRecord[] = [];
  const ledger = new JobLedger(memoryJournal(records));
  const published: JobResult[] = [];
  const queue: string[] = [];
  let started = false;
  const clock = new ManualClock(Date.UTC(2025, 5, 1, 9, 0));
  const localTime = localTimeIn('Europe/Moscow');
  const intake = new JobIntake({ ledger, clock, localTime, log: silentLog(), publish: (r) => published.push(r), submit: (id) => queue.push(id) }, { ...DEMO_JOB_CONTEXT, deviceId: 'test' });
  const pipeline = {
    withdraw(id: string): boolean {
      const at = queue.indexOf(id);
      if (at < 0 || (at === 0 && started)) return false;
      queue.splice(at, 1);
      return true;
    },
    retrying: false,
    prints: { blocked: false },
  };
  const requests = new LocalRequests(
    { ledger, intake, pipeline, query: async (task) => ({ asked: task }), publish: (r) => published.push(r), clock, localTime, log: silentLog() },
    { ...DEMO_JOB_CONTEXT, deviceId: 'test' },
  );
  /** The pipeline takes the head job and ends it with `fields`, as the real one does: ledger first, then the result. */
  const finishHead = async (fields: Partial<JobResult> & Pick<JobResult, 'status'>): Promise<string> => {
    started = true;
    const id = queue.shift() ?? '';
    started = false;
    const result: JobResult = { version: 1, id, type: 'sell', device_id: 'test', timestamp: '01.06.2025 12:00:00', ...fields };
    await ledger.record({ k: 'finished', id, at: clock.now(), result });
    published.push(result);
    requests.onResult(result);
    await settle();
    return id;
  };
  return { ledger, records, published, queue, requests, finishHead, clock, start: () => void (started = true) };
}

const it = suite('local API requests over the ledger and the intake');

it('a request is journaled task by task through the intake, under its own id space', async () => {
  const r = rig();
  const a = await r.requests.submit({ uuid: 'u1', request: [{ type: 'getShiftStatus' }, sell(1), sell(2)] });
  assert.is(a.http, 201);
  assert.equal(r.queue, ['local:u1/1', 'local:u1/2'], 'the jobs went to the pipeline; the query did not');
  assert.equal(r.records.map((x) => [x.k, x.id]), [['finished', 'local:u1/0'], ['reported', 'local:u1/0'], ['accepted', 'local:u1/1'], ['accepted', 'local:u1/2']]);
  const states = (await r.requests.results('u1')).body['results'] as { status: string; result: unknown }[];
  assert.equal(states.map((s) => s.status), ['ready', 'wait', 'wait']);
  assert.equal(states[0]?.result, { asked: 'getShiftStatus' });
  assert.is((await r.requests.results('nope')).http, 404);
});

it('a query after a job of its request is answered in its turn: once that job is done', async () => {
  const r = rig();
  let answered = false;
  const posting = r.requests.submit({ uuid: 'u1b', request: [sell(1), { type: 'getShiftStatus' }] }).then((a) => {
    answered = true;
    return a;
  });
  await settle();
  r.clock.advance(10_000); // a query waits up to 15 s for the jobs before it
  await settle();
  assert.is(answered, false, 'the query waits for the sell before it');
  await r.finishHead({ status: 'done' });
  assert.is((await posting).http, 201);
  assert.equal(r.records.map((x) => [x.k, x.id]), [['accepted', 'local:u1b/0'], ['finished', 'local:u1b/0'], ['finished', 'local:u1b/1'], ['reported', 'local:u1b/1']]);
});

it('a bad task refuses the whole request: nothing journaled', async () => {
  const r = rig();
  const a = await r.requests.submit({ uuid: 'u2', request: [sell(1), { ...sell(2), payments: [{ type: 'cash', sum: 1 }] }] });
  assert.is(a.http, 400);
  assert.equal((a.body['problems'] as { path: string }[]).map((p) => p.path), ['request[1].payments']);
  assert.is(r.records.length, 0);
  const shifted = sell(3);
  shifted['items'] = [{ type: 'text', text: 'Добрый день' }, { ...(sell(3)['items'] as Record<string, unknown>[])[0], tax: { type: 'vat20', sum: 1 } }];
  const named = await r.requests.submit({ uuid: 'u2b', request: [shifted] });
  assert.is(named.http, 400);
  assert.ok((named.body['problems'] as { path: string }[]).some((p) => p.path === 'request[0].items[1].tax.sum'), JSON.stringify(named.body['problems']));
  for (const bad of [null, [], { uuid: 'has space', request: [sell(1)] }, { uuid: 'u', request: [] }]) assert.is((await r.requests.submit(bad)).http, 400, JSON.stringify(bad));
});

it('the same uuid: the stored state; other tasks: 409; a POST cut off by a crash is completed', async () => {
  const r = rig();
  await r.requests.submit({ uuid: 'u3', request: [sell(1), sell(2)] });
  const again = await r.requests.submit({ uuid: 'u3', request: [sell(1), sell(2)] });
  assert.is(again.http, 200);
  assert.is(r.queue.length, 2, 'nothing queued twice');
  assert.is((await r.requests.submit({ uuid: 'u3', request: [sell(1), sell(3)] })).http, 409);
  // The same POST twice at once (a client that did not wait): one request, journaled once.
  const twice = rig();
  const [first, second] = await Promise.all([twice.requests.submit({ uuid: 'u3b', request: [sell(1), sell(2)] }), twice.requests.submit({ uuid: 'u3b', request: [sell(1), sell(2)] })]);
  assert.equal([first.http, second.http], [201, 200]);
  assert.equal(twice.records.map((x) => x.k), ['accepted', 'accepted']);
  // A crash after the first task was journaled: the ledger holds only it.
  const cut = rig();
  await cut.requests.submit({ uuid: 'u4', request: [sell(5)] });
  const redo = await cut.requests.submit({ uuid: 'u4', request: [sell(5), sell(6)] });
  assert.is(redo.http, 201);
  assert.equal(cut.queue, ['local:u4/0', 'local:u4/1']);
});

it('DELETE cancels what waits, not what started; the cloud gets the canceled results', async () => {
  const r = rig();
  await r.requests.submit({ uuid: 'u5', request: [sell(1), sell(2), sell(3)] });
  r.start(); // the pipeline took the head
  const a = await r.requests.cancel('u5');
  assert.is(a.http, 200);
  assert.equal((a.body['results'] as { status: string }[]).map((s) => s.status), ['wait', 'canceled', 'canceled']);
  assert.equal(r.queue, ['local:u5/0']);
  assert.equal(r.published.filter((p) => p.error?.code === 'canceled').map((p) => p.id), ['local:u5/1', 'local:u5/2']);
  assert.is((await r.requests.cancel('u5')).http, 409, 'nothing waits any more');
});

it('a failed task interrupts the tasks of its request that wait; other requests go on', async () => {
  const r = rig();
  await r.requests.submit({ uuid: 'u6', request: [sell(1), sell(2), sell(3)] });
  await r.requests.submit({ uuid: 'u7', request: [sell(4)] });
  await r.finishHead({ status: 'fail', error: { code: 'fn_blocked', text: 'the FN refused', recommendation: 'fix_device' } });
  const states = (await r.requests.results('u6')).body['results'] as { status: string; errorCode: number }[];
  assert.equal(states.map((s) => s.status), ['error', 'interrupted', 'interrupted']);
  assert.ok((states[0]?.errorCode ?? 0) > 0);
  assert.equal(r.queue, ['local:u7/0'], 'the next request is not touched');
  await r.finishHead({ status: 'done' });
  assert.equal(((await r.requests.results('u7')).body['results'] as { status: string }[]).map((s) => s.status), ['ready']);
});

it.run();

const http = suite('local API over HTTP: who may');

const TOKEN = 'a-token-of-twenty-chars';

http('loopback needs nothing; beyond loopback, the token as Bearer or basic-auth password', async () => {
  const r = rig();
  const server = new LocalApiServer({ requests: r.requests, log: silentLog(), deviceId: 'test' }, { enabled: true, host: '0.0.0.0', port: 0, token: TOKEN });
  await server.start();
  const port = server.where.split(':').pop();
  const outside = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  try {
    const get = (host: string, headers: Record<string, string> = {}): Promise<number> => fetch(`http://${host}:${port}/api/v2/devices`, { headers }).then((res) => res.status);
    assert.is(await get('127.0.0.1'), 200, 'loopback');
    // Without a non-loopback interface this machine cannot play a remote client: say so loudly.
    if (outside === undefined) throw new Error('no non-loopback IPv4 interface: the token cannot be tested here');
    assert.is(await get(outside), 401, `${outside} without a token`);
    assert.is(await get(outside, { Authorization: `Bearer ${TOKEN}` }), 200);
    assert.is(await get(outside, { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }), 200, 'the web server login form');
    assert.is(await get(outside, { Authorization: 'Bearer a-token-of-twenty-chaR' }), 401, 'a wrong token');
    assert.is(await get(outside, { Authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` }), 401, 'the token as user name is not the password');
  } finally {
    await server.stop();
  }
  const first = new LocalApiServer({ requests: r.requests, log: silentLog(), deviceId: 'test' }, { enabled: true, host: '127.0.0.1', port: 0 });
  await first.start();
  const busy = new LocalApiServer({ requests: r.requests, log: silentLog(), deviceId: 'test' }, { enabled: true, host: '127.0.0.1', port: Number(first.where.split(':').pop()) });
  try {
    await busy.start();
    assert.unreachable('the port is taken');
  } catch (e) {
    assert.match(String(e), /localApi: cannot listen: port \d+ on 127.0.0.1 is taken/);
  }
  await first.stop();
  const off = new LocalApiServer({ requests: r.requests, log: silentLog(), deviceId: 'test' }, { enabled: false, host: '127.0.0.1', port: 0 });
  await off.start();
  assert.is(off.where, 'off', 'disabled: it does not listen');
});

http.run();
