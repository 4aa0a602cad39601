/**
 * The print queue (print-queue.ts) with the real ESC/POS printer and the printer emulator on
 * memory ports: results keep the jobs' order; a job queued twice is printed once; while
 * the paper is out, the documents behind say "not printed" and the jobs that need no paper
 * are finished ahead, in their order; paper back, everything prints once, in order; a head
 * worked again after its records failed is not printed again, and a result that cannot be
 * recorded holds nothing up.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { memoryPortPair } from '../../drivers/memory-port.ts';
import { PrinterEmulator } from '../../drivers/printer/emulator/printer-emulator.ts';
import { PrinterDriver } from '../../drivers/printer/printer-driver.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import { parseConfig } from '../../firmware/config/parse-config.ts';
import { PrintQueue, type PrintItem } from '../../firmware/pipeline/print-queue.ts';
import { EscPosPrinter } from '../../firmware/print/escpos-printer.ts';
import { receiptFiscal, sellCashAndCard } from '../helpers/fiscal-fixtures.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { settle as settleTurns } from '../helpers/poll.ts';

const registration = parseConfig(readFileSync('device-config/demo.json', 'utf8')).registration;

/** Lets the memory line and the promises behind it run; no wall time passes. */
const settle = (): Promise<void> => settleTurns(50);

function rig(): { emulator: PrinterEmulator; queue: PrintQueue; clock: ManualClock; events: string[]; item: (id: string, fd: number | undefined) => PrintItem } {
  const [register, device] = memoryPortPair('printer');
  // A stepped clock: nothing here waits on real time; the printer answers over the memory line.
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 10, 0));
  const emulator = new PrinterEmulator({ port: device, clock, log: testLog() });
  emulator.start();
  const driver = new PrinterDriver({ port: register, clock, log: testLog() });
  driver.start();
  const queue = new PrintQueue({ printer: new EscPosPrinter({ driver, log: testLog() }, 32), clock, log: testLog() }, 50);
  const events: string[] = [];
  const item = (id: string, fd: number | undefined): PrintItem => ({
    id,
    request: fd === undefined ? undefined : { job: { id, type: 'sell', receipt: sellCashAndCard, electronic: false }, fiscal: receiptFiscal(registration, { fd }), registration },
    notPrinted: () => void events.push(`not printed ${id}`),
    finish: async (onPaper) => {
      if (onPaper) events.push(`printed ${id}`);
      events.push(`finished ${id}`);
    },
  });
  return { emulator, queue, clock, events, item };
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

it('a document on paper whose records fail is worked again without printing it again', async () => {
  const { emulator, queue, clock, events, item } = rig();
  const tries: string[] = [];
  queue.add({
    ...item('a', 1),
    // The journal refuses the records twice (nothing recorded), then takes them.
    finish: async (onPaper) => {
      tries.push(onPaper ? 'on paper' : 'no paper');
      if (tries.length <= 2) throw new Error('journal write failed');
      events.push('printed and finished a');
    },
  });
  await settle();
  clock.advance(50); // the queue's retries: 50 ms, no growth
  await settle();
  clock.advance(50);
  await queue.idle();
  assert.equal(tries, ['on paper', 'on paper', 'on paper']);
  assert.equal(events, ['printed and finished a']);
  assert.is(queue.stats.unrecorded, 2);
  assert.is(emulator.printed.length, 1, 'one receipt on paper');
});

it('a result behind a document that cannot be recorded is left to the journal: counted, and nothing behind it held up', async () => {
  const { emulator, queue, events, item } = rig();
  queue.add(item('a', 1));
  queue.add({
    ...item('electronic', undefined),
    finish: async () => {
      throw new Error('journal write failed');
    },
  });
  queue.add(item('b', 2));
  await queue.idle();
  assert.equal(events, ['printed a', 'finished a', 'printed b', 'finished b']);
  assert.is(queue.stats.unrecorded, 1);
  assert.is(emulator.printed.length, 2);
});

it('a result settled while the last result behind the head is being finished is finished, whatever the turn', async () => {
  for (let turns = 0; turns <= 12; turns++) {
    const { queue, events, item } = rig();
    queue.add(item('a', 1));
    queue.add({
      ...item('b', undefined),
      finish: async () => {
        events.push('finished b');
        void (async () => {
          for (let i = 0; i < turns; i++) await Promise.resolve();
          queue.settle('c', async () => void events.push('finished c'));
        })();
      },
    });
    await queue.idle();
    await settle();
    assert.equal(events, ['printed a', 'finished a', 'finished b', 'finished c'], `c settled ${turns} turns after b`);
  }
});

it('a "not printed" word that fails to go out stops nothing and is not counted as an unrecorded result', async () => {
  const { emulator, queue, clock, events, item } = rig();
  emulator.knobs.paperOut = true;
  queue.add({
    ...item('a', 1),
    notPrinted: () => {
      throw new Error('publish failed');
    },
  });
  queue.add(item('b', 2));
  await settle();
  clock.advance(50);
  await settle();
  assert.equal(events, ['not printed b']);
  assert.is(queue.stats.unrecorded, 0);
  emulator.knobs.paperOut = false;
  queue.resume();
  await queue.idle();
  assert.equal(events.slice(1), ['printed a', 'finished a', 'printed b', 'finished b']);
});

it('paper out: documents behind say "not printed", paperless jobs finish ahead; paper back: all printed once, in order', async () => {
  const { emulator, queue, clock, events, item } = rig();
  emulator.knobs.paperOut = true;
  queue.add(item('a', 1));
  queue.add(item('electronic', undefined));
  queue.add(item('b', 2));
  queue.add(item('failed', undefined));
  await settle();
  clock.advance(200); // four print retries of 50 ms
  await settle();
  assert.equal(events, ['not printed a', 'not printed b', 'finished electronic', 'finished failed']);
  assert.ok(queue.blocked);
  emulator.knobs.paperOut = false;
  queue.resume();
  await queue.idle();
  assert.equal(events.slice(4), ['printed a', 'finished a', 'printed b', 'finished b']);
  assert.equal(emulator.printed.map((p) => p.lines.find((l) => /^ФД +\d+$/.test(l))), ['ФД' + ' '.repeat(29) + '1', 'ФД' + ' '.repeat(29) + '2']);
});

it.run();
