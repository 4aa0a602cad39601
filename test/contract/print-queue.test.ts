/**
 * The print queue (print-queue.ts) with the real ESC/POS printer and the printer emulator on
 * memory ports: results keep the jobs' order; a job queued twice is printed once; while
 * the paper is out, the documents behind say "not printed" and the jobs that need no paper
 * are finished ahead, in their order; paper back, everything prints once, in order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { PrintQueue, type PrintItem } from '../../firmware/pipeline/print-queue.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { receiptFiscal, sellCashAndCard } from '../helpers/fiscal-fixtures.ts';
import { testLog } from '../helpers/fn-rig.ts';

const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;

function rig(): { emulator: PrinterEmulator; queue: PrintQueue; events: string[]; item: (id: string, fd: number | undefined) => PrintItem } {
  const [register, device] = memoryPortPair('printer');
  const emulator = new PrinterEmulator({ port: device, clock: systemClock(), log: testLog() });
  emulator.start();
  const driver = new PrinterDriver({ port: register, clock: systemClock(), log: testLog() });
  driver.start();
  const queue = new PrintQueue({ printer: new EscPosPrinter({ driver, log: testLog() }, 32), clock: systemClock(), log: testLog() }, 50);
  const events: string[] = [];
  const item = (id: string, fd: number | undefined): PrintItem => ({
    id,
    request: fd === undefined ? undefined : { job: { id, type: 'sell', receipt: sellCashAndCard, electronic: false }, fiscal: receiptFiscal(registration, { fd }), registration },
    printed: async () => void events.push(`printed ${id}`),
    notPrinted: () => void events.push(`not printed ${id}`),
    finish: async () => void events.push(`finished ${id}`),
  });
  return { emulator, queue, events, item };
}

const it = suite('print queue');

it('results in the order of the jobs; a job added twice is printed once', async () => {
  const { emulator, queue, events, item } = rig();
  queue.add(item('a', 1));
  queue.add(item('b', undefined));
  queue.add(item('a', 1));
  queue.add(item('c', 2));
  await queue.idle();
  assert.equal(events, ['printed a', 'finished a', 'finished b', 'printed c', 'finished c']);
  assert.is(emulator.printed.length, 2);
});

it('paper out: documents behind say "not printed", paperless jobs finish ahead; paper back: all printed once, in order', async () => {
  const { emulator, queue, events, item } = rig();
  emulator.knobs.paperOut = true;
  queue.add(item('a', 1));
  queue.add(item('electronic', undefined));
  queue.add(item('b', 2));
  queue.add(item('failed', undefined));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events, ['not printed a', 'not printed b', 'finished electronic', 'finished failed']);
  assert.ok(queue.blocked);
  emulator.knobs.paperOut = false;
  queue.resume();
  await queue.idle();
  assert.equal(events.slice(4), ['printed a', 'finished a', 'printed b', 'finished b']);
  assert.equal(emulator.printed.map((p) => p.lines.find((l) => /^ФД +\d+$/.test(l))), ['ФД' + ' '.repeat(29) + '1', 'ФД' + ' '.repeat(29) + '2']);
});

it.run();
