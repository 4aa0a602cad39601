/**
 * Issue 13 acceptance: a retail program drives the register's local API with a plain HTTP
 * client (node's fetch) — the real runtime process, its FN emulator as a process on a pty,
 * a real mosquitto with the cloud on it. One FN, one queue, one truth for both sources.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../helpers/app-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { freePort, localClient, startServing, type LocalClient } from '../helpers/local-client.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { receiptFdsByTotal, registerProcesses, type RegisterProcesses } from '../helpers/register-processes.ts';

interface Ctx {
  broker?: Mosquitto;
  reg?: RegisterProcesses;
  cloud?: Cloud;
  api?: LocalClient;
  dir?: string;
  base?: string;
}

const it = suite<Ctx>('local API: a retail program and the cloud on one register', {});

/** An ATOL driver sell task of one position: `kopecks` makes its total unique. */
export function sellTask(kopecks: number, type = 'sell'): Record<string, unknown> {
  const rub = kopecks / 100;
  return {
    type,
    taxationType: 'osn',
    operator: { name: 'Кассир Петров' },
    items: [{ type: 'position', name: `Товар ${kopecks}`, price: rub, quantity: 1, amount: rub, paymentMethod: 'fullPayment', paymentObject: 'commodity', tax: { type: 'vat20' } }],
    payments: [{ type: 'electronically', sum: rub }],
    total: rub,
  };
}

it.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'kassa-local-api-'));
  ctx.broker = await startMosquitto();
  const port = await freePort();
  ctx.reg = await registerProcesses(ctx.dir, ctx.broker.url, { localApiPort: port, fnDelayMs: 5 });
  ctx.cloud = await connectCloud(ctx.broker.url, ctx.reg.prefix);
  ctx.base = `http://127.0.0.1:${port}`;
  ctx.api = localClient(ctx.base);
  await ctx.reg.startFn();
  await startServing(ctx.reg, ctx.api);
  await ctx.cloud.online();
});

it.after(async (ctx) => {
  await ctx.cloud?.close();
  await ctx.reg?.close();
  await ctx.broker?.close();
  if (ctx.dir) removeDir(ctx.dir);
});

it('a sell request: 201, then ready with its fiscal parameters; the cloud sees it, marked local', async (ctx) => {
  const api = ctx.api!;
  const posted = await api.post('pos-0001', [sellTask(12_345)]);
  assert.is(posted.status, 201, JSON.stringify(posted.body));
  assert.is(posted.body['uuid'], 'pos-0001');
  assert.is(posted.body['isBlocked'], false);
  const [task] = await api.final('pos-0001');
  assert.is(task?.status, 'ready', JSON.stringify(task));
  assert.is(task?.errorCode, 0);
  const fp = task?.result?.['fiscalParams'];
  assert.ok(fp?.fiscalDocumentNumber > 0);
  assert.is(fp?.total, 123.45);
  const cloudFinal = await ctx.cloud!.final('local:pos-0001/0');
  assert.is(cloudFinal.status, 'done');
  assert.is(cloudFinal.source, 'local');
  assert.is(cloudFinal.payload?.fiscal_document_number, fp?.fiscalDocumentNumber, 'one document, one truth');
  // The status topic follows a job from the counter too, with no message from the cloud to wake it.
  await ctx.cloud!.statusWhere((s) => s['fn']?.['last_fd'] === fp?.fiscalDocumentNumber, 5000);

  const again = await api.post('pos-0001', [sellTask(12_345)]);
  assert.is(again.status, 200, 'the same uuid again: the stored result');
  assert.is(again.body['results'][0].result.fiscalParams.fiscalDocumentNumber, fp?.fiscalDocumentNumber);
  const other = await api.post('pos-0001', [sellTask(999)]);
  assert.is(other.status, 409, 'another request under a held uuid');
});

it('a bad request is refused whole with every problem and its path; nothing is queued', async (ctx) => {
  const api = ctx.api!;
  const bad = sellTask(500);
  (bad['items'] as Record<string, unknown>[])[0]!['tax'] = { type: 'vat18' };
  const answer = await api.post('pos-bad', [sellTask(501), bad, { type: 'cashIn' }]);
  assert.is(answer.status, 400);
  const paths = (answer.body['problems'] as { path: string }[]).map((p) => p.path);
  assert.equal(paths, ['request[1].items[0].tax.type', 'request[2].type']);
  assert.is((await api.get('pos-bad')).status, 404, 'not even its first, good task was taken');
  const notJson = await fetch(`${ctx.base}/api/v2/requests`, { method: 'POST', body: '{"uuid": "x", "request": [' });
  assert.is(notJson.status, 400);
  assert.match(((await notJson.json()) as { error: { description: string } }).error.description, 'not JSON');
  // A uuid whose percent-escapes are broken is the client's error, not the register's.
  const badEscape = await fetch(`${ctx.base}/api/v2/requests/%E0%A4%A`);
  assert.is(badEscape.status, 400);
  assert.match(((await badEscape.json()) as { error: { description: string } }).error.description, 'percent-encoding');
});

it('shift open and close by either side are seen by both: they share the FN', async (ctx) => {
  const api = ctx.api!;
  const cloud = ctx.cloud!;
  const closed = await api.post('pos-close', [{ type: 'closeShift', operator: { name: 'Кассир Петров' } }, { type: 'getShiftStatus' }]);
  assert.is(closed.status, 201);
  const [close, after] = await api.final('pos-close');
  assert.is(close?.status, 'ready');
  assert.is(after?.result?.['shiftStatus']?.state, 'closed', 'the query in its turn: after the close before it');
  const closeFd = close?.result?.['fiscalParams']?.fiscalDocumentNumber;
  const cloudSaw = await cloud.final('local:pos-close/0');
  assert.is(cloudSaw.type, 'close_shift');
  assert.is(cloudSaw.source, 'local');
  assert.is(cloudSaw.payload?.fiscal_document_number, closeFd);

  await cloud.publish(JSON.stringify({ version: 1, id: 'cloud-open-1', type: 'open_shift' }));
  const opened = await cloud.final('cloud-open-1');
  assert.is(opened.status, 'done');
  const status = await api.post('pos-status', [{ type: 'getShiftStatus' }, { type: 'getDeviceStatus' }, { type: 'getFnInfo' }, { type: 'ofdExchangeStatus' }]);
  assert.is(status.status, 201);
  const [shift, device, fnInfo, ofd] = await api.final('pos-status');
  assert.equal(shift?.result?.['shiftStatus']?.state, 'opened');
  assert.is(shift?.result?.['shiftStatus']?.number, opened.payload?.shift_number, 'the shift the cloud opened');
  assert.is(device?.result?.['deviceStatus']?.fiscal, true);
  assert.is(fnInfo?.result?.['fnInfo']?.serial, opened.payload?.fn_number);
  assert.ok(typeof ofd?.result?.['status']?.notSentCount === 'number');
});

it('DELETE cancels the tasks still waiting; they form nothing; the cloud learns they are canceled', async (ctx) => {
  const api = ctx.api!;
  const tasks = Array.from({ length: 12 }, (_, i) => sellTask(20_000 + i));
  assert.is((await api.post('pos-many', tasks)).status, 201);
  const del = await api.delete('pos-many');
  assert.is(del.status, 200, JSON.stringify(del.body));
  const results = await api.final('pos-many');
  const canceled = results.filter((r) => r.status === 'canceled');
  const ready = results.filter((r) => r.status === 'ready');
  assert.ok(canceled.length > 0, `some were still waiting: ${results.map((r) => r.status).join(',')}`);
  assert.is(canceled.length + ready.length, tasks.length);
  const firstCanceled = results.findIndex((r) => r.status === 'canceled');
  assert.ok(results.slice(firstCanceled).every((r) => r.status === 'canceled'), `the queue order: the started ones first: ${results.map((r) => r.status).join(',')}`);
  const c = await ctx.cloud!.final(canceled[0]!.kassa.id);
  assert.is(c.error?.code, 'canceled');
  assert.is((await api.delete('pos-many')).status, 409, 'nothing waits any more');

  // The FN holds exactly the ready ones.
  await ctx.reg!.killRuntime('SIGTERM');
  await ctx.reg!.killFn();
  const byTotal = receiptFdsByTotal(ctx.reg!.fnDocuments());
  const mine = tasks.map((_t, i) => byTotal.get(20_000 + i)?.length ?? 0);
  assert.equal(mine, results.map((r) => (r.status === 'ready' ? 1 : 0)), 'one document per ready task, none for a canceled one');
  await ctx.reg!.startFn();
  await startServing(ctx.reg!, api);
  await ctx.cloud!.online();
  // After the restart the request is still there, from the journal.
  const kept = await api.final('pos-many');
  assert.equal(kept.map((r) => r.status), results.map((r) => r.status));
});

it('the cloud may not use the local id space', async (ctx) => {
  const cloud = ctx.cloud!;
  await cloud.publish(JSON.stringify({ version: 1, id: 'local:pos-0001/1', type: 'x_report' }));
  const r = await cloud.final('local:pos-0001/1');
  assert.is(r.status, 'fail');
  assert.is(r.error?.problems?.[0]?.path, 'id');
});

it.run();
