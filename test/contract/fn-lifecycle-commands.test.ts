/**
 * The FN's life by command (issue 12 §3) against the FN emulator: registration (FD type 1),
 * re-registration with each reason (FD type 11, tag 1205 as a bit mask), the archive close
 * refused while documents wait for the OFD (naming the backlog), then closed (FD type 6,
 * phase 7) once the OFD emulator has confirmed every document over loopback TCP.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { PHASE } from '../../drivers/fn/fn-status-flags.ts';
import type { RegistrationConfig } from '../../firmware/config/device-config.ts';
import { decodeTlv, findTag } from '../../firmware/fiscal/tlv-codec.ts';
import { BacklogRefusal, closeArchive, reasonsFor, register, reregister, REREGISTRATION_REASONS, type ReregistrationReason } from '../../firmware/provisioning/fn-lifecycle.ts';
import { cashierTags, KKT_SERIAL, OFD_INN, RNM, USER_INN } from '../helpers/fiscal-fixtures.ts';
import { fnRig, T0 } from '../helpers/fn-rig.ts';
import { stepThrough } from '../helpers/poll.ts';
import { ofdRig } from '../helpers/ofd-rig.ts';

const REG: RegistrationConfig = { ffd: '1.2', inn: USER_INN, rnm: RNM, kktSerial: KKT_SERIAL, address: 'г. Москва, ул. Льва Толстого, д. 16', taxSystems: ['osn'], ofdInn: OFD_INN, fnsSite: 'www.nalog.gov.ru', internet: true, autoRegister: false };

const it = suite('FN lifecycle commands (emulator)');

it('register → re-register for each reason → close refused with a backlog → closed once the OFD has everything', async () => {
  const rig = fnRig();
  const fn = new FnFace(rig.driver);
  try {
    const phase = (): Promise<number> => fn.phase();
    assert.is(await phase(), PHASE.readyForRegistration);
    const reg = await register(fn, REG, rig.at(T0), cashierTags);
    assert.is(reg.fd, 1);
    assert.is(await phase(), PHASE.fiscal);
    assert.is((await fn.readDocument(1)).fdType, 1);

    let at = T0;
    const cases: ReregistrationReason[][] = [['address'], ['ofd'], ['user_name'], ['tax_systems'], ['settings'], ['ofd', 'address']];
    for (const reasons of cases) {
      at += 60;
      const r = await reregister(fn, { ...REG, address: `адрес ${at}` }, rig.at(at), cashierTags, reasons);
      const doc = await fn.readDocument(r.fd);
      assert.is(doc.fdType, 11, `${reasons.join('+')}: a re-registration report`);
      const bits = reasons.reduce((m, x) => (m | (1 << REREGISTRATION_REASONS[x].bit1205)) >>> 0, 0);
      assert.is(findTag(decodeTlv(doc.tlv), 1205)?.value, bits, `${reasons.join('+')}: tag 1205`);
      assert.is(findTag(decodeTlv(doc.tlv), 1009)?.value, `адрес ${at}`, 'the new address is in the report');
      assert.is(r.reportType, 2);
    }
    await reregister(fn, REG, rig.at(at + 60), cashierTags, []).then(() => assert.unreachable('no reason'), (e: Error) => assert.match(e.message, 'at least one reason'));

    const refusal = await closeArchive(fn, RNM, rig.at(at + 120), cashierTags, '1.2').then(() => undefined, (e: unknown) => e);
    assert.instance(refusal, BacklogRefusal);
    assert.is((refusal as BacklogRefusal).unsent, 1 + cases.length);
    assert.is((refusal as BacklogRefusal).oldestFd, 1);
    assert.match((refusal as Error).message, /7 document\(s\) have not reached the OFD \(the oldest is FD 1\)/);
    assert.is(await phase(), PHASE.fiscal, 'nothing changed');

    const ofd = await ofdRig(rig);
    ofd.sender.start();
    assert.ok(await stepThrough(rig.clock, ofd.sender.drained(10_000), { stepMs: 20, maxMs: 11_000, what: 'the backlog sent to the OFD' }), 'the backlog reached the OFD');
    await ofd.close();
    const closed = await closeArchive(fn, RNM, rig.at(at + 180), cashierTags, '1.2');
    assert.is((await fn.readDocument(closed.fd)).fdType, 6);
    assert.is(await phase(), PHASE.postFiscal);
  } finally {
    await rig.close();
  }
});

it('the reasons a change of registration data needs', () => {
  assert.equal(reasonsFor(REG, REG), []);
  assert.equal(reasonsFor(REG, { ...REG, address: 'другой' }), ['address']);
  assert.equal(reasonsFor(REG, { ...REG, ofdInn: '7709364346', taxSystems: ['usn_income'] }), ['ofd', 'tax_systems']);
  assert.equal(reasonsFor(REG, { ...REG, internet: false }), ['settings']);
});

it.run();
