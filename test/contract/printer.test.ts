/**
 * The printer interface, one contract for the driver and the emulator (DESIGN.md "how we
 * test"): the PrinterDriver reads each fault the PrinterEmulator's knobs set through
 * DLE EOT 1/2/4; the EscPosPrinter refuses to print when the printer cannot, prints nothing
 * in that case, and tells a document that was cut short (paper ran out during it) so the
 * queue prints it again whole. A printer that does not answer is offline. Memory ports and a
 * stepped clock here (paper moves and timeouts run out when the test steps time);
 * the same over a socat pty is test/integration/printing-over-pty.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { PrinterEmulator, type PrinterKnobs } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { canPrint, READY, type PrinterStatus } from '../../drivers/printer/printer-status.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import type { PrintRequest } from '../../firmware/print/receipt-printer.ts';
import { receiptFiscal, sellCashAndCard } from '../helpers/fiscal-fixtures.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { settle, stepUntil } from '../helpers/poll.ts';

interface Rig {
  /** The printer's end of the line. */
  device: BytePort;
  emulator: PrinterEmulator;
  driver: PrinterDriver;
  printer: EscPosPrinter;
  clock: ManualClock;
  close: () => Promise<void>;
}

function rig(statusTimeoutMs = 200): Rig {
  const [register, device] = memoryPortPair('printer');
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 10, 0));
  const emulator = new PrinterEmulator({ port: device, clock, log: testLog() });
  emulator.start();
  const driver = new PrinterDriver({ port: register, clock, log: testLog() }, statusTimeoutMs);
  driver.start();
  const printer = new EscPosPrinter({ driver, log: testLog() }, 32);
  return { device, emulator, driver, printer, clock, close: async () => void (await register.close()) };
}

/** Follows a promise, so a test can step the clock until it has settled. */
function watch<T>(p: Promise<T>): { readonly done: boolean; readonly value: T | undefined } {
  const w = { done: false, value: undefined as T | undefined };
  void p.then((v) => {
    w.value = v;
    w.done = true;
  });
  return w;
}

const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;
const request: PrintRequest = {
  job: { id: 'c1', type: 'sell', receipt: sellCashAndCard, electronic: false },
  fiscal: receiptFiscal(registration),
  registration,
};

const it = suite('printer contract: driver ↔ emulator');

const cases: [Partial<PrinterKnobs>, PrinterStatus][] = [
  [{}, READY],
  [{ paperNearEnd: true }, { ...READY, paperNearEnd: true }],
  [{ paperOut: true }, { ...READY, offline: true, paperOut: true }],
  [{ coverOpen: true }, { ...READY, offline: true, coverOpen: true }],
  [{ offline: true }, { ...READY, offline: true }],
  [{ paperOut: true, coverOpen: true, paperNearEnd: true }, { offline: true, coverOpen: true, paperOut: true, paperNearEnd: true }],
];
for (const [knobs, expected] of cases) {
  it(`knobs ${JSON.stringify(knobs)} read back as ${JSON.stringify(expected)}`, async () => {
    const r = rig();
    try {
      Object.assign(r.emulator.knobs, knobs);
      assert.equal(await r.driver.status(), expected);
      assert.is(canPrint(expected), !expected.offline, 'near end still prints');
    } finally {
      await r.close();
    }
  });
}

it('a printer that does not answer is offline', async () => {
  const r = rig(50);
  try {
    r.emulator.stop();
    const status = watch(r.driver.status());
    const waited = await stepUntil(r.clock, () => status.done, { stepMs: 10, maxMs: 200, what: 'the status of a silent printer' });
    assert.is(waited, 50, 'offline once the 50 ms status timeout ran out, not before');
    assert.equal(status.value, { ...READY, offline: true });
    assert.is(r.driver.stats.timeouts, 1);
  } finally {
    await r.close();
  }
});

it('a status answer missed once (the register busy at that moment): asked again, and the document prints', async () => {
  const r = rig(50);
  try {
    r.emulator.stop();
    const printed = watch(r.printer.print(request));
    await settle();
    r.clock.advance(50); // the first DLE EOT times out…
    r.emulator.start(); // …and the printer answers the second
    await stepUntil(r.clock, () => printed.done, { stepMs: 10, maxMs: 5000, what: 'the document printed' });
    assert.is(printed.value, true);
    assert.is(r.driver.stats.timeouts, 1);
    assert.is(r.emulator.printed.length, 1);
    assert.is(r.printer.stats.refused, 0, 'not held back for a retry');
  } finally {
    await r.close();
  }
});

it('cover open: print() says false and nothing reaches the paper; closed: the receipt prints', async () => {
  const r = rig();
  try {
    r.emulator.knobs.coverOpen = true;
    assert.is(await r.printer.print(request), false);
    assert.is(r.emulator.printed.length, 0);
    assert.is(r.driver.stats.bytesSent, 0, 'not a byte of the document was sent');
    r.emulator.knobs.coverOpen = false;
    const next = r.emulator.nextReceipt();
    assert.ok(await r.printer.print(request));
    assert.ok((await next).lines.some((l) => l.includes('КАССОВЫЙ ЧЕК')));
  } finally {
    await r.close();
  }
});

it('paper runs out during a document: print() says false, and the document prints again whole', async () => {
  const r = rig();
  try {
    let documentBytes = 0;
    // The paper ends as the document arrives: the status read after the document says so.
    const stopWatching = r.device.onData((chunk) => {
      if (chunk.length > 3) {
        documentBytes += chunk.length;
        r.emulator.knobs.paperOut = true;
        stopWatching();
      }
    });
    const printing = watch(r.printer.print(request));
    // GS r goes unanswered while the paper is out: the next DLE EOT poll (500 ms) finds out why.
    const waited = await stepUntil(r.clock, () => printing.done, { stepMs: 100, maxMs: 2000, what: 'print() to notice the paper ran out' });
    assert.is(waited, 500, 'found at the first status poll');
    assert.is(printing.value, false);
    assert.ok(documentBytes > 0, 'the document was sent');
    r.emulator.knobs.paperOut = false;
    const next = r.emulator.nextReceipt();
    assert.ok(await r.printer.print(request), 'printed again once the paper is back');
    const lines = (await next).lines;
    for (const field of ['КАССОВЫЙ ЧЕК', 'ИТОГ', 'ФП']) assert.ok(lines.some((l) => l.includes(field)), field);
  } finally {
    await r.close();
  }
});

it('a slow printer (150 mm/s): print() waits for the paper, DLE EOT is answered mid-document, one copy comes out', async () => {
  const r = rig();
  try {
    r.emulator.knobs.mmPerSecond = 150;
    const started = r.clock.now();
    const printing = watch(r.printer.print(request));
    await settle();
    r.clock.advance(200);
    const status = watch(r.driver.status());
    await settle(50);
    assert.ok(status.done, 'DLE EOT is a real-time command: answered mid-document with no time passing');
    assert.equal(status.value, READY, 'status while printing');
    assert.not.ok(printing.done, 'the receipt is still coming out');
    await stepUntil(r.clock, () => printing.done, { stepMs: 10, maxMs: 10_000, what: 'the slow receipt' });
    assert.ok(printing.value);
    const lines = r.emulator.printed[0]?.lines.length ?? 0;
    const paperMs = ((lines * 4) / 150) * 1000;
    const took = r.clock.now() - started;
    assert.ok(took >= paperMs && took <= paperMs + 10, `print() returned once the paper was out (${took} ms for ${paperMs} ms of paper)`);
    assert.is(r.emulator.printed.length, 1);
    assert.is(r.driver.stats.timeouts, 0);
  } finally {
    await r.close();
  }
});

it('the paper ends half-way through a slow receipt: cut short, buffers cleared, printed again whole once paper is back', async () => {
  const r = rig();
  try {
    r.emulator.knobs.mmPerSecond = 150;
    const printing = watch(r.printer.print(request));
    await settle();
    r.clock.advance(300);
    assert.not.ok(printing.done, 'still printing at 300 ms');
    r.emulator.knobs.paperOut = true;
    await stepUntil(r.clock, () => printing.done, { stepMs: 10, maxMs: 1000, what: 'print() to notice the paper ran out' });
    assert.is(printing.value, false, 'the register learns the document did not come out');
    r.clock.advance(1500); // past the time the receipt would have taken
    await settle();
    assert.is(r.emulator.stats.cutShort, 1);
    assert.is(r.emulator.stats.clears, 1, 'the rest of the document was cleared from the printer');
    assert.is(r.emulator.printed.length, 0);
    r.emulator.knobs.paperOut = false;
    const again = watch(r.printer.print(request));
    await stepUntil(r.clock, () => again.done, { stepMs: 10, maxMs: 10_000, what: 'the receipt printed again' });
    assert.ok(again.value);
    assert.is(r.emulator.printed.length, 1, 'exactly one whole copy');
    assert.ok(r.emulator.printed[0]?.lines.some((l) => l.includes('КАССОВЫЙ ЧЕК')));
  } finally {
    await r.close();
  }
});

it.run();
