/**
 * Issue 5 figures: backlog drain rate over loopback TCP for a 10 000-document backlog, and
 * the bytes on the wire per document (both directions), from the FN emulator through the
 * sender to the OFD emulator.
 */
import { FN } from '../../drivers/fn/fn-commands.ts';
import { buildReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { closeShift, formReceipt, openShift } from '../../drivers/fn/fn-documents.ts';
import { cashierTags, sellCashAndCard } from '../helpers/fiscal-fixtures.ts';
import { T0 } from '../helpers/fn-rig.ts';
import { HandSetClock } from '../helpers/hand-set-clock.ts';
import { ofdRig } from '../helpers/ofd-rig.ts';
import { registeredRig } from '../helpers/fn-session.ts';
import { printFigures, type Figure } from './bench-kit.ts';

const BACKLOG = 10_000;

export async function ofdBench(): Promise<Figure[]> {
  // The sender's waits and the transport's timeouts run in real time: a bench measures them.
  const rig = await registeredRig('1.2', { clock: new HandSetClock(T0 * 1000), device: { checkTimer: false } });
  const o = await ofdRig(rig);
  try {
    const doc = buildReceipt(sellCashAndCard, '1.2');
    let at = T0 + 120;
    let inShift = 0;
    const fillStart = performance.now();
    while ((await rig.driver.execute(FN.getUnconfirmedCount, {})).value.count < BACKLOG) {
      if (inShift === 2000) {
        await closeShift(rig.driver, '1.2', rig.at(at), cashierTags);
        await openShift(rig.driver, '1.2', rig.at(at + 1), cashierTags);
        inShift = 0;
        at += 2;
      }
      await formReceipt(rig.driver, '1.2', rig.at(at), doc);
      inShift++;
      at += 1;
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const backlog = (await rig.driver.execute(FN.getUnconfirmedCount, {})).value.count;
    const t0 = performance.now();
    o.sender.start();
    const drained = await o.sender.drained(600_000);
    const seconds = (performance.now() - t0) / 1000;
    const wire = o.ofd.counters.bytesIn + o.ofd.counters.bytesOut;
    const figures: Figure[] = [
      { name: 'backlog drained', value: backlog, unit: 'documents', note: drained ? `filled in ${fillSeconds.toFixed(1)} s` : 'NOT drained' },
      { name: 'drain rate over loopback', value: backlog / seconds, unit: 'documents/s', note: `${seconds.toFixed(1)} s` },
      { name: 'bytes on the wire per document', value: wire / o.ofd.counters.received, unit: 'B', note: `to the OFD ${Math.round(o.ofd.counters.bytesIn / o.ofd.counters.received)} B, back ${Math.round(o.ofd.counters.bytesOut / o.ofd.counters.received)} B` },
    ];
    printFigures('OFD store-and-forward (issue 5)', figures);
    return figures;
  } finally {
    await o.close();
    await rig.close();
  }
}
