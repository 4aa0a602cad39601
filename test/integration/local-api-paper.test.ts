/**
 * Issue 13 §2: paper out after the FN formed the receipt. The local queue says `blocked`, as
 * the ATOL web server does; a `continuePrint` request resumes; the receipt is printed once
 * and its task ends `ready` with the document it had all along. The printer is the ESC/POS
 * emulator on a socat pty, the register in-process with a real mosquitto.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { localClient } from '../helpers/local-client.ts';
import { pollUntil } from '../helpers/poll.ts';
import { startPrinterAppRig } from '../helpers/printer-app-rig.ts';

const sell = {
  type: 'sell',
  taxationType: 'osn',
  operator: { name: 'Кассир Петров' },
  items: [{ type: 'position', name: 'Батон', price: 52.3, quantity: 1, amount: 52.3, paymentMethod: 'fullPayment', paymentObject: 'commodity', tax: { type: 'vat10' } }],
  payments: [{ type: 'cash', sum: 100 }],
};

test('paper out: the task is blocked, continuePrint resumes, one document printed once', async () => {
  const { emulator, rig, cloud, stop } = await startPrinterAppRig({ localApi: { enabled: true, port: 0 } });
  const api = localClient(`http://${rig.app.localApi.where}`);
  try {
    await cloud.online();
    emulator.knobs.paperOut = true;
    assert.is((await api.post('till-1', [sell])).status, 201);
    const stateOf = async (): Promise<string> => ((await api.get('till-1')).body['results'] as { status: string }[])[0]?.status ?? '';
    await pollUntil(async () => (await stateOf()) === 'blocked', { timeoutMs: 15_000, what: 'till-1 blocked: fiscalized, waiting for paper' });
    // The local answer and the cloud's copy of the result travel apart (HTTP here, MQTT there):
    // "blocked" on the local API does not mean mosquitto has delivered the result yet.
    const notPrintedNow = () => cloud.results.get('local:till-1/0')?.find((r) => r.status === 'fiscalized_not_printed');
    await pollUntil(() => notPrintedNow() !== undefined, { timeoutMs: 10_000, intervalMs: 20, what: 'the cloud to hear of the document, fiscalized but not printed' });
    const notPrinted = notPrintedNow();
    const fd = notPrinted?.payload?.fiscal_document_number;
    assert.ok(fd, 'the cloud heard of the document, marked local');
    assert.is(notPrinted?.source, 'local');
    assert.is(emulator.printed.length, 0);
    const statusPost = await api.post('till-status', [{ type: 'getDeviceStatus' }]);
    assert.is(statusPost.status, 201);
    assert.is(statusPost.body['isBlocked'], true, 'the queue says it is blocked, as the web server does');
    assert.is(statusPost.body['blockedUUID'], 'till-1', 'and by which request');
    const [status] = await api.final('till-status');
    assert.is(status?.result?.['deviceStatus']?.paperPresent, false);
    assert.is(status?.result?.['deviceStatus']?.blocked, true);

    emulator.knobs.paperOut = false;
    assert.is((await api.post('till-continue', [{ type: 'continuePrint' }])).status, 201);
    const [cont] = await api.final('till-continue');
    assert.is(cont?.status, 'ready');
    const [task] = await api.final('till-1');
    assert.is(task?.status, 'ready');
    assert.is(task?.result?.['fiscalParams']?.fiscalDocumentNumber, fd, 'the same document, never fiscalized again');
    assert.is(task?.result?.['fiscalParams']?.total, 52.3);
    // Prints come out in queue order: once the next receipt is out, a second print of this one would be too.
    assert.is((await api.post('till-2', [sell])).status, 201);
    const [next] = await api.final('till-2');
    const nextFd = next?.result?.['fiscalParams']?.fiscalDocumentNumber;
    const printsOf = (n: unknown): number => emulator.printed.filter((p) => p.lines.some((l) => new RegExp(`^ФД +${n}$`).test(l.trim()))).length;
    await pollUntil(() => printsOf(nextFd) === 1, { timeoutMs: 10_000, what: `the next receipt (FD ${nextFd}) off the printer` });
    assert.is(printsOf(fd), 1, 'printed exactly once');
  } finally {
    await stop();
  }
});

test.run();
