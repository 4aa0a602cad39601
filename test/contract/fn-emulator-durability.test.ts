/**
 * The emulator's state survives restarts like a real FN's, written atomically: a restart
 * keeps every document and counter, a torn last record is dropped, and a power cut in the
 * middle of a command leaves either the state before it or the state after it.
 */
import { ManualClock } from '../../firmware/core/clock.ts';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import { fileStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { stepThrough } from '../helpers/poll.ts';
import { deviceOptions, fnRig, T0, testLog } from '../helpers/fn-rig.ts';
import { registeredRig, sell } from '../helpers/fn-session.ts';

const HOUR = 3600;

function tempFile(): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-fn-'));
  return { path: join(dir, 'fn-state.bin'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

function reload(path: string): FnDevice {
  const device = new FnDevice({ store: fileStateStore(path), clock: new ManualClock(T0 * 1000), log: testLog() }, deviceOptions());
  device.boot();
  return device;
}

test('a restart keeps the phase, the shift, the numbering and every archived document', async () => {
  const file = tempFile();
  const store = fileStateStore(file.path);
  const rig = await registeredRig('1.2', { store });
  try {
    await sell(rig, T0 + HOUR);
    await sell(rig, T0 + 2 * HOUR);
    const before = rig.device.snapshot;
    store.close();
    const after = reload(file.path).snapshot;
    assert.equal(after.state, before.state);
    assert.equal([...after.documents.keys()], [1, 2, 3, 4]);
    assert.equal(after.documents.get(4)?.tlv, before.documents.get(4)?.tlv);
    assert.is(after.state.shift.open, true);
    assert.is(after.state.shift.receipts, 2);
  } finally {
    await rig.close();
    file.done();
  }
});

test('appending after a restart continues the file (the first append once overwrote the first record)', async () => {
  const file = tempFile();
  try {
    const first = await registeredRig('1.2', { store: fileStateStore(file.path) });
    await sell(first, T0 + HOUR);
    first.store.close();
    await first.close();
    const second = fnRig({ store: fileStateStore(file.path), clock: new ManualClock((T0 + HOUR) * 1000) });
    assert.is((await sell(second, T0 + 2 * HOUR)).fd, 4);
    second.store.close();
    await second.close();
    const after = reload(file.path).snapshot;
    assert.equal([...after.documents.keys()], [1, 2, 3, 4], 'every document, the registration included');
    assert.is(after.state.lastFd, 4);
    assert.is(after.state.registration?.inn, '7707083893');
  } finally {
    file.done();
  }
});

test('a torn last record is dropped at boot and the file is cut back to the last good one', async () => {
  const file = tempFile();
  const store = fileStateStore(file.path);
  const rig = await registeredRig('1.2', { store });
  try {
    await sell(rig, T0 + HOUR);
    store.close();
    const good = statSync(file.path).size;
    // A write cut short: half a record header and some payload.
    appendFileSync(file.path, Uint8Array.of(0x40, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3));
    const device = new FnDevice({ store: fileStateStore(file.path), clock: new ManualClock(T0 * 1000), log: testLog() }, deviceOptions());
    const { droppedBytes } = device.boot();
    assert.is(droppedBytes, 11);
    assert.is(statSync(file.path).size, good);
    assert.is(device.snapshot.state.lastFd, 3);

    // A record whose bytes are all there but one is wrong (CRC): also dropped, with what follows.
    const bytes = readFileSync(file.path);
    truncateSync(file.path, bytes.length - 1);
    const shorter = reload(file.path);
    assert.is(shorter.snapshot.state.lastFd, 2, 'the receipt record was torn: the FN is back before it');
    assert.ok(shorter.snapshot.documents.get(3) === undefined);
  } finally {
    await rig.close();
    file.done();
  }
});

for (const at of ['before-commit', 'after-commit'] as const) {
  test(`a power cut ${at} of 16h: the document is ${at === 'before-commit' ? 'not formed' : 'formed once'}, nothing is corrupted`, async () => {
    const file = tempFile();
    const store = fileStateStore(file.path);
    const rig = await registeredRig('1.2', { store, driver: { timeoutMs: 100, longTimeoutMs: 100, enqRetries: 1 } });
    try {
      await sell(rig, T0 + HOUR);
      rig.emulator.faults.powerCut = { command: 0x16, at };
      let error: unknown;
      // The dead FN never answers: the driver's timeouts and its ENQ run out on the stepped clock.
      await stepThrough(rig.clock, sell(rig, T0 + 2 * HOUR), { stepMs: 10, maxMs: 1000, what: 'the driver to give up on a dead FN' }).catch((e: unknown) => (error = e));
      assert.instance(error, KassaError);
      assert.is((error as KassaError).code, 'FN_TIMEOUT');
      assert.ok(rig.emulator.isDead);
      store.close();

      const after = reload(file.path);
      const s = after.snapshot.state;
      if (at === 'before-commit') {
        assert.is(s.lastFd, 3);
        assert.is(s.document?.kind, 'receipt', 'the receipt is still open: the register must cancel it');
      } else {
        assert.is(s.lastFd, 4);
        assert.is(s.document, undefined);
        assert.is(after.snapshot.documents.get(4)?.fdType, 3);
      }
      assert.is(s.shift.receipts, at === 'before-commit' ? 1 : 2);
    } finally {
      await rig.close();
      file.done();
    }
  });
}

test('an open document survives a restart without its 07h data; 06h cancels it', async () => {
  const file = tempFile();
  const store = fileStateStore(file.path);
  const rig = await registeredRig('1.2', { store });
  try {
    await rig.driver.execute(FN.startReceipt, { dateTime: rig.at(T0 + HOUR) });
    await rig.driver.execute(FN.sendTlv, { tlv: Uint8Array.of(0x1f, 0x04, 0x01, 0x00, 0x01) });
    assert.is((await rig.driver.execute(FN.getStatus, {})).value.documentData, 1);
    store.close();
    const after = reload(file.path);
    const status = after.handle(0x30, new Uint8Array(0));
    assert.is(status.code & 0x7f, 0);
    assert.is(status.data[1], 0x04, 'current document: receipt');
    assert.is(status.data[2], 0, 'its data did not survive the power cut');
    assert.is(after.handle(0x06, new Uint8Array(0)).code & 0x7f, 0);
    assert.is(after.handle(0x30, new Uint8Array(0)).data[1], 0);
  } finally {
    await rig.close();
    file.done();
  }
});

test.run();
