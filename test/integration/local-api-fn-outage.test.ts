/**
 * Issue 13 §2: the FN stops answering while a local receipt is in it (its process killed):
 * the local queue says `blocked`, as the ATOL web server does for an uncertain state; the FN
 * back, the register reconciles and the task ends `ready` with exactly one document. The
 * runtime and the FN emulator are real processes on a pty; the FN answers slowly (150 ms)
 * so that the receipt is caught inside the FN.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../helpers/app-rig.ts';
import { freePort, localClient, startServing } from '../helpers/local-client.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';
import { receiptFdsByTotal, registerProcesses } from '../helpers/register-processes.ts';

const sell = {
  type: 'sell',
  taxationType: 'osn',
  items: [{ type: 'position', name: 'Кефир', price: 77.77, quantity: 1, amount: 77.77, paymentMethod: 'fullPayment', tax: { type: 'vat10' } }],
  payments: [{ type: 'electronically', sum: 77.77 }],
};

// 20 ms: the receipt stays inside the slow FN (150 ms an answer) only for a moment.
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => pollUntil(check, { timeoutMs, intervalMs: 20, what });

test('the FN gone mid-receipt: blocked; the FN back: ready, one document', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-local-fn-'));
  const broker = await startMosquitto();
  const port = await freePort();
  const reg = await registerProcesses(dir, broker.url, { fnDelayMs: 150, localApiPort: port });
  const api = localClient(`http://127.0.0.1:${port}`);
  const status = async (): Promise<string> => ((await api.get('till-fn')).body['results'] as { status: string }[] | undefined)?.[0]?.status ?? '';
  try {
    await reg.startFn();
    await startServing(reg, api);
    // The shift first, so that the receipt is the only document in the FN when it goes.
    assert.is((await api.post('till-open', [{ type: 'openShift' }])).status, 201);
    await api.final('till-open');
    assert.is((await api.post('till-fn', [sell])).status, 201);
    await until('the receipt in the FN', async () => (await status()) === 'inProgress');
    await reg.killFn();
    await until('blocked', async () => (await status()) === 'blocked');
    const posted = await api.post('till-probe', [{ type: 'getShiftStatus' }]);
    assert.is(posted.body['isBlocked'], true, 'the queue says it is blocked');
    assert.is(posted.body['blockedUUID'], 'till-fn');
    await reg.startFn();
    const [task] = await api.final('till-fn', 60_000);
    assert.is(task?.status, 'ready', JSON.stringify(task));
    const fd = task?.result?.['fiscalParams']?.fiscalDocumentNumber;
    await reg.killRuntime('SIGTERM');
    await reg.killFn();
    assert.equal(receiptFdsByTotal(reg.fnDocuments()).get(7777), [fd], 'one document, the one the task names');
  } finally {
    await reg.close();
    await broker.close();
    removeDir(dir);
  }
});

test.run();
