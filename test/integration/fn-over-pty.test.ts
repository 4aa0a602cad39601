/**
 * Issue 2 acceptance: over a real pty pair (socat), the FN emulator on one end and FnDriver
 * with the real serialport binding on the other: register → open shift → four receipts →
 * correction → state report → close shift → read every document back from the archive.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import { openSerialPort } from '../../drivers/serial-port.ts';
import { buildCorrectionReceipt, buildReceipt, type BuiltDocument } from '../../firmware/fiscal/receipt-builder.ts';
import { decodeTlv, findTag, type TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { decodeLayout } from '../../drivers/fn/fn-layout.ts';
import { archiveSummaryLayout } from '../../drivers/fn/fn-archive-layouts.ts';
import { closeShift, formReceipt, formStateReport, openShift, registerFn } from '../../drivers/fn/fn-documents.ts';
import type { FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { buy, cashierTags, correction, registration, sellCashAndCard, sellRefund, thirtyItems, RNM, USER_INN } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0, FN_NUMBER, type FnRig } from '../helpers/fn-rig.ts';
import { HandSetClock } from '../helpers/hand-set-clock.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';

const FN_FORMED_IN_RECEIPT = [1012, 1040, 1041, 1018, 1037, 1209, 1038, 1042, 1054, 1020, 1077];

for (const ffd of ['1.2', '1.05'] as const) {
  const it = suite<{ pty?: PtyPair; rig?: FnRig<HandSetClock> }>(`FN over a socat pty, FFD ${ffd}`, {});

  it.before(async (ctx) => {
    ctx.pty = await ptyPair();
    const registerSide = await openSerialPort({ path: ctx.pty.a, baudRate: 115200 });
    const deviceSide = await openSerialPort({ path: ctx.pty.b, baudRate: 115200 });
    // A real pty: the bytes take real time, so the driver's timeouts run on it too.
    ctx.rig = fnRig({ clock: new HandSetClock(T0 * 1000), ports: [registerSide, deviceSide], driver: { timeoutMs: 2000, longTimeoutMs: 4000 } });
  });

  it.after(async (ctx) => {
    await ctx.rig?.close();
    await ctx.pty?.close();
  });

  it('a whole fiscal day, every document read back from the archive', async (ctx) => {
    const rig = ctx.rig!;
    const fn = rig.driver;
    const sent = new Map<number, { fdType: number; tlv: readonly TlvNode[]; formed: Record<number, unknown> }>();

    const reg = await registerFn(fn, registration(ffd, rig.at(T0)));
    assert.is(reg.fd, 1);
    const opened = await openShift(fn, ffd, rig.at(T0 + 60), cashierTags);
    assert.is(opened.shiftNumber, 1);
    sent.set(opened.fd, { fdType: 2, tlv: cashierTags, formed: { 1038: 1 } });

    const receipts: [string, BuiltDocument][] = [
      ['sell, cash and card', buildReceipt(sellCashAndCard, ffd)],
      ['sell refund', buildReceipt(sellRefund, ffd)],
      ['buy', buildReceipt(buy, ffd)],
      ['30 items', buildReceipt(thirtyItems(), ffd)],
      ['correction', buildCorrectionReceipt(correction(T0 - 86400, ffd), ffd)],
    ];
    let at = T0 + 120;
    let receiptNumber = 0;
    let expectedFd = opened.fd;
    const total: Record<number, number> = {};
    for (const [name, doc] of receipts) {
      at += 60;
      const r = await formReceipt(fn, ffd, rig.at(at), doc);
      expectedFd++;
      receiptNumber++;
      assert.is(r.fd, expectedFd, `${name}: FD numbers are consecutive`);
      assert.is(r.receiptNumber, receiptNumber, `${name}: receipt number in the shift`);
      total[doc.operationType] = (total[doc.operationType] ?? 0) + doc.totalKopecks;
      sent.set(r.fd, { fdType: doc.fdType, tlv: doc.tlv, formed: { 1038: 1, 1042: receiptNumber, 1054: doc.operationType, 1020: doc.totalKopecks, 1012: at } });
    }

    const report = await formStateReport(fn, ffd, rig.at(at + 60), []);
    assert.is(report.fd, ++expectedFd);
    assert.is(report.unconfirmedCount, expectedFd - 1, 'every FD but the report itself waits for the OFD');
    const closed = await closeShift(fn, ffd, rig.at(at + 120), cashierTags);
    assert.is(closed.fd, ++expectedFd);
    assert.is(closed.shiftNumber, 1);

    const status = (await fn.execute(FN.getStatus, {})).value;
    assert.is(status.lastFd, expectedFd);
    assert.is(status.shiftOpen, 0);
    assert.is(status.fnNumber, FN_NUMBER);
    const shift = (await fn.execute(FN.getShiftParams, {})).value;
    assert.equal(shift, { shiftOpen: 0, shiftNumber: 1, receiptNumber: receipts.length });

    // Every document, by number, from the archive.
    for (let fd = 1; fd <= expectedFd; fd++) {
      const archived = await readArchivedTlv(fn, fd);
      const nodes = decodeTlv(archived.tlv);
      assert.is(findTag(nodes, 1040)?.value, fd, `FD ${fd} carries its number`);
      assert.is(findTag(nodes, 1041)?.value, FN_NUMBER);
      assert.is(findTag(nodes, 1018)?.value, USER_INN);
      assert.is(findTag(nodes, 1037)?.value, RNM);
      const expected = sent.get(fd);
      if (!expected) continue;
      assert.is(archived.fdType, expected.fdType, `FD ${fd} type`);
      // What the register sent comes back exactly, after the FN-formed tags.
      const own = nodes.filter((n) => !FN_FORMED_IN_RECEIPT.includes(n.tag));
      assert.equal(own, expected.tlv, `FD ${fd}: the register's tags come back unchanged`);
      for (const [tag, value] of Object.entries(expected.formed)) assert.is(findTag(nodes, Number(tag))?.value, value, `FD ${fd} FN-formed tag ${tag}`);
      // 40h agrees with the TLV.
      const found = (await fn.execute(FN.findDocument, { fd })).value;
      assert.is(found.docType, expected.fdType);
      const layout = archiveSummaryLayout(found.docType, ffd);
      assert.ok(layout, `40h struct for type ${found.docType}`);
      const summary = decodeLayout(layout!, found.data) as Record<string, number>;
      assert.is(summary['fd'], fd);
      if (expected.fdType === 3 || expected.fdType === 31) {
        assert.is(summary['total'], expected.formed[1020]);
        assert.is(summary['operationType'], expected.formed[1054]);
      }
    }

    // Totals by calculation sign agree with what was formed.
    const sums: Record<number, number> = {};
    for (let fd = 1; fd <= expectedFd; fd++) {
      const nodes = decodeTlv((await readArchivedTlv(fn, fd)).tlv);
      const op = findTag(nodes, 1054)?.value;
      const t = findTag(nodes, 1020)?.value;
      if (typeof op === 'number' && typeof t === 'number') sums[op] = (sums[op] ?? 0) + t;
    }
    assert.equal(sums, total);
    const closeNodes = decodeTlv((await readArchivedTlv(fn, closed.fd)).tlv);
    assert.is(findTag(closeNodes, 1118)?.value, receipts.length, 'close-shift report counts the receipts');
    assert.is(findTag(closeNodes, 1111)?.value, receipts.length + 3, 'and the documents of the shift');
    assert.is(fn.counters.crcErrors, 0);
    assert.is(fn.counters.timeouts, 0);
  });

  it.run();
}
