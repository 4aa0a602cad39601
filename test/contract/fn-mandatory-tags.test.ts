/**
 * Every document the FN emulator forms carries the tags the FN forms that its FFD marks
 * mandatory (fn-mandatory-tags.ts; issue 10 §5), for every document type in FFD 1.05 and
 * 1.2: registration, re-registration, open and close shift, receipt, correction receipt,
 * settlement-state report, close FN. 1098 (and 1116) appear only while documents wait.
 * Driven over the real frame protocol (fn-rig.ts), read back with 45h/46h.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FN_MANDATORY_TAGS, FN_TAGS_WHEN_WAITING } from '../../drivers/fn/emulator/fn-mandatory-tags.ts';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import { FFD_VERSIONS, type FfdVersion } from '../../firmware/fiscal/ffd-version.ts';
import { buildCorrectionReceipt } from '../../firmware/fiscal/receipt-builder.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { decodeTlv, encodeTlv } from '../../firmware/fiscal/tlv-codec.ts';
import { cashierTags, correction, registration } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0, type FnRig } from '../helpers/fn-rig.ts';
import { sell } from '../helpers/fn-session.ts';

const HOUR = 3600;

/** Checks every FD 1..last against the table; returns the FD types seen. */
async function checkAll(rig: FnRig, ffd: FfdVersion): Promise<Set<number>> {
  const seen = new Set<number>();
  const last = (await rig.driver.execute(FN.getStatus, {})).value.lastFd;
  for (let fd = 1; fd <= last; fd++) {
    const { fdType, tlv } = await readArchivedTlv(rig.driver, fd);
    const tags = new Set(decodeTlv(tlv).map((n) => n.tag));
    const mandatory = FN_MANDATORY_TAGS[fdType]?.[ffd];
    assert.ok(mandatory, `FD ${fd}: type ${fdType} has a row in the table`);
    for (const tag of mandatory ?? []) assert.ok(tags.has(tag), `FFD ${ffd} FD ${fd} (type ${fdType}) lacks ${tag}`);
    const waiting = decodeTlv(tlv).find((n) => n.tag === 1097)?.value;
    for (const tag of FN_TAGS_WHEN_WAITING[fdType] ?? []) {
      assert.is(tags.has(tag), typeof waiting === 'number' && waiting > 0, `FFD ${ffd} FD ${fd}: ${tag} only when documents wait (1097 = ${String(waiting)})`);
    }
    seen.add(fdType);
  }
  return seen;
}

for (const ffd of FFD_VERSIONS) {
  test(`FFD ${ffd}: registration, shifts, receipt, correction, state report with documents waiting`, async () => {
    const rig = fnRig();
    try {
      await rig.fn.register(registration(ffd, rig.at(T0)));
      await rig.fn.openShift(ffd, rig.at(T0 + 60), cashierTags);
      await sell(rig, T0 + HOUR, undefined, ffd);
      await rig.fn.formReceipt(ffd, rig.at(T0 + HOUR + 60), buildCorrectionReceipt(correction(T0 - 86400, ffd), ffd));
      const report = await rig.fn.formStateReport(ffd, rig.at(T0 + HOUR + 120), []);
      assert.ok(report.unconfirmedCount > 0, 'documents wait for the OFD');
      await rig.fn.closeShift(ffd, rig.at(T0 + 2 * HOUR), cashierTags);
      const seen = await checkAll(rig, ffd);
      for (const t of [FD_TYPE.registration, FD_TYPE.openShift, FD_TYPE.receipt, FD_TYPE.correctionReceipt, FD_TYPE.stateReport, FD_TYPE.closeShift]) assert.ok(seen.has(t), `type ${t} formed`);
    } finally {
      await rig.close();
    }
  });

  test(`FFD ${ffd}: autonomous FN: state report, close shift, re-registration, close FN`, async () => {
    const rig = fnRig();
    try {
      const reg = { ...registration(ffd, rig.at(T0)), workMode: 0x02 }; // autonomous (Table 37 bit 1)
      await rig.fn.register(reg);
      await rig.fn.openShift(ffd, rig.at(T0 + 60), cashierTags);
      await rig.fn.formStateReport(ffd, rig.at(T0 + 120), []);
      await rig.fn.closeShift(ffd, rig.at(T0 + 180), cashierTags);
      const data = encodeTlv(reg.tlv, ffd);
      const at = rig.at(T0 + 240);
      if (ffd === '1.05') {
        await rig.driver.execute(FN.startRegistration, { reportType: 2 });
        await rig.driver.execute(FN.sendTlv, { tlv: data });
        await rig.driver.execute(FN.formRegistration, { dateTime: at, inn: reg.inn, rnm: reg.rnm, taxSystems: reg.taxSystems, workMode: reg.workMode, reason: 4 });
      } else {
        await rig.driver.execute(FN.startRegistration12, { reportType: 2, ffdVersion: 4 });
        await rig.driver.execute(FN.sendTlv, { tlv: data });
        await rig.driver.execute(FN.formRegistration12, { dateTime: at, inn: reg.inn, rnm: reg.rnm, taxSystems: reg.taxSystems, workMode: reg.workMode, extendedFlags: 0, ofdInn: reg.ofdInn, reasonCodes: 8 });
      }
      await rig.driver.execute(FN.startCloseFn, {});
      await rig.driver.execute(FN.closeFn, { dateTime: rig.at(T0 + 300), rnm: reg.rnm });
      const seen = await checkAll(rig, ffd);
      for (const t of [FD_TYPE.registration, FD_TYPE.reregistration, FD_TYPE.stateReport, FD_TYPE.closeShift, FD_TYPE.closeFn]) assert.ok(seen.has(t), `type ${t} formed`);
      const stateReport = decodeTlv((await readArchivedTlv(rig.driver, 3)).tlv);
      assert.is(stateReport.find((n) => n.tag === 1002)?.value, 1, '1002 = 1 in an autonomous FN');
    } finally {
      await rig.close();
    }
  });
}

test.run();
