/**
 * Issue 12 §3 against a real mosquitto, signed commands to a running register whose FN
 * (emulated in-process) starts unregistered: register → sell → re-register (address) →
 * close_fn refused while the OFD is unreachable, naming the backlog → the OFD comes back →
 * close_fn → the FN is replaced (replace_fn) → re-register with fn_replacement on the new FN
 * → sell again. Each result carries FD number, FPD and the registration data as formed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FN } from '../../drivers/fn/fn-commands.ts';
import { readArchivedTlv } from '../../drivers/fn/fn-procedures.ts';
import { OfdEmulator } from '../../drivers/ofd/emulator/ofd-emulator.ts';
import { TEST_OPERATOR_KEY } from '../../drivers/ofd/operator-sign.ts';
import { CloudLink } from '../../firmware/cli/cloud-link.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { decodeTlv, findTag } from '../../firmware/fiscal/tlv-codec.ts';
import type { CommandResult } from '../../firmware/security/command-gate.ts';
import { startAppRig, removeDir, type AppRig } from '../helpers/app-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { testLog } from '../helpers/fn-rig.ts';
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { pollUntil } from '../helpers/poll.ts';

const cloudKey = generateKeyPairSync('ed25519');
const sample = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;

const it = suite<{ broker?: Mosquitto; rig?: AppRig; link?: CloudLink; jobs?: Cloud; ofd?: OfdEmulator }>('the FN’s life by command (mosquitto)', {});

it.after(async (ctx) => {
  await ctx.link?.close();
  await ctx.jobs?.close();
  await ctx.rig?.stop();
  await ctx.ofd?.close();
  await ctx.broker?.close();
  if (ctx.rig) removeDir(ctx.rig.dataDir);
});

it('register, sell, re-register, close refused with a backlog, close, replace the FN, register the new one, sell', async (ctx) => {
  ctx.broker = await startMosquitto();
  const ofdPort = await freePort(); // nobody listens yet: the OFD is unreachable
  const rig = (ctx.rig = await startAppRig(ctx.broker.url, {
    security: { cloudPublicKey: cloudKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    ofd: { kind: 'tcp', host: '127.0.0.1', port: ofdPort },
    printer: { kind: 'emulator', dir: 'receipts', columns: 48 },
    ofdLink: { backoffMinMs: 50, backoffMaxMs: 200, idleCheckMs: 100, connectTimeoutMs: 300 },
    registration: { ffd: '1.2', inn: '7707083893', kktSerial: '00000000381001234567', address: 'г. Москва, ул. Льва Толстого, д. 16', place: 'shop.example.ru', taxSystems: ['osn', 'usn_income'], ofdInn: '7704211201', autoRegister: false },
  }));
  const prefix = rig.config.mqtt.topicPrefix;
  const jobs = (ctx.jobs = await connectCloud(ctx.broker.url, prefix));
  await jobs.online();
  const link = (ctx.link = await CloudLink.connect({ clock: systemClock(), url: ctx.broker.url }));
  await link.watch(`${prefix}/results`);
  const run = async (type: string, body: Record<string, unknown> = {}): Promise<CommandResult> => {
    const c = await link.command(`${prefix}/commands`, cloudKey.privateKey, rig.config.deviceId, type, body);
    return link.result(c.id, 20_000);
  };
  const fn = rig.app.fn.driver;
  const status = async () => (await fn.execute(FN.getStatus, {})).value;
  const shown = async (): Promise<Record<string, unknown>> => (await rig.app.status()).provisioning ?? {};
  assert.is((await shown())['registration'], 'not registered');

  const reg = await run('register');
  assert.is(reg.status, 'done', JSON.stringify(reg));
  assert.is(reg['fd'], 1);
  assert.ok(Number(reg['fpd']) > 0);
  assert.equal((reg['registration'] as { inn: string }).inn, '7707083893');
  assert.is((await readArchivedTlv(fn, 1)).fdType, 1);
  assert.is((await run('register')).status, 'rejected', 'a registered FN is not registered again');
  // Printed as the register prints it when it forms it: its heading, not marked as a copy.
  const paper = async (heading: string): Promise<string> => {
    const dir = join(rig.dataDir, 'receipts');
    let found: string | undefined;
    await pollUntil(
      () => {
        const texts = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f), 'utf8')) : [];
        found = texts.find((x) => x.includes(heading));
        return found !== undefined;
      },
      { timeoutMs: 5000, what: `something printed under ${heading}` },
    );
    return found ?? '';
  };
  const regPaper = await paper('ОТЧЕТ О РЕГИСТРАЦИИ');
  assert.not.match(regPaper, 'КОПИЯ');
  assert.match(regPaper, /^ФД +1$/m);
  assert.match(regPaper, /^РН ККТ +\d{16}$/m);
  assert.match(regPaper, /^ФП +\d+$/m);
  // The parameters formed, read back from the FN archive (print/registration-details.ts).
  for (const line of [/^ЗН ККТ +00000000381001234567$/m, /^СНО +ОСН, УСН доход$/m, /^АВТОНОМН\. РЕЖИМ +НЕТ$/m, /^ШИФРОВАНИЕ +НЕТ$/m, /^ИНН ОФД +7704211201$/m, /^ВЕРСИЯ ФФД +1\.2$/m, /^ИНН +7707083893$/m]) assert.match(regPaper, line);
  const st = await shown();
  assert.is(st['registration'], 'registered');
  assert.match(String(st['fn_valid_until']), /^\d\d\.\d\d\.\d{4}$/);
  assert.ok((st['fn_days_left'] as number) > 300, `${String(st['fn_days_left'])} days left`);
  assert.ok((st['fn_documents_left'] as number) > 0);
  assert.equal(st['registered'], { fd: 1, fn_number: '9999078900005488', ffd: '1.2', at: (st['registered'] as { at: string }).at });

  await jobs.publish(JSON.stringify({ ...sample, id: 'life-sale-1' }));
  const sale1 = await jobs.final('life-sale-1');
  assert.is(sale1.status, 'done', JSON.stringify(sale1.error));

  const rereg = await run('reregister', { reasons: ['address', 'settings'] });
  assert.is(rereg.status, 'done', JSON.stringify(rereg));
  const doc = await readArchivedTlv(fn, rereg['fd'] as number);
  assert.is(doc.fdType, 11);
  assert.is(findTag(decodeTlv(doc.tlv), 1205)?.value, 2 ** 31 + (1 << 3), "1205: address (bit 3) and other reasons (bit 31)");
  assert.is((await run('reregister', { reasons: ['because'] })).status, 'rejected');
  const reregPaper = await paper('ОТЧЕТ ОБ ИЗМЕНЕНИИ ПАРАМЕТРОВ РЕГИСТРАЦИИ');
  assert.not.match(reregPaper, 'КОПИЯ');
  assert.match(reregPaper, /^ПРИЧИНА\n +ИЗМЕНЕНИЕ АДРЕСА И \(ИЛИ\) МЕСТА УСТАНОВКИ ККТ$/m, 'the 1205 bits as printed text');
  assert.match(reregPaper, /^ПРИЧИНА +ИНЫЕ ПРИЧИНЫ$/m);
  assert.match(reregPaper, new RegExp(`^ФД +${String(rereg['fd'])}$`, 'm'));

  const refused = await run('close_fn');
  assert.is(refused.status, 'fail');
  assert.is(refused['reason'], 'ofd_backlog');
  assert.ok((refused['unsent'] as number) >= 5, `${String(refused['unsent'])} unsent`);
  assert.is(refused['oldest_fd'], 1);
  assert.is((await status()).phase, 0x03, 'nothing closed');

  ctx.ofd = new OfdEmulator({ clock: systemClock(), log: testLog() }, { ofdInn: '7704211201', operatorKey: TEST_OPERATOR_KEY });
  await ctx.ofd.listen(ofdPort);
  await pollUntil(async () => (await fn.execute(FN.getOfdStatus, {})).value.messageCount === 0, { timeoutMs: 10_000, what: 'the OFD backlog to be sent' });
  // A sale opens a shift again: close_fn closes it and lets its report reach the OFD first,
  // rather than refusing for the register's own shift-close report.
  await jobs.publish(JSON.stringify({ ...sample, id: 'life-sale-before-close' }));
  assert.is((await jobs.final('life-sale-before-close')).status, 'done');
  assert.ok((await fn.execute(FN.getShiftParams, {})).value.shiftOpen === 1, 'a shift is open before close_fn');
  const closed = await run('close_fn');
  assert.is(closed.status, 'done', JSON.stringify(closed));
  assert.is(closed['phase_name'], 'phase 3: closed, sending the rest to the OFD');
  assert.is((await readArchivedTlv(fn, closed['fd'] as number)).fdType, 6);
  assert.is(closed['phase'], 0x07);
  assert.match(String((await shown())['registration']), /^archive closed/);
  const closePaper = await paper('ОТЧЕТ О ЗАКРЫТИИ ФИСКАЛЬНОГО НАКОПИТЕЛЯ');
  assert.not.match(closePaper, 'КОПИЯ');
  assert.match(closePaper, /^СМЕНА +\d+$/m);
  assert.match(closePaper, new RegExp(`^ФД +${String(closed['fd'])}$`, 'm'));
  assert.not.match(closePaper, /^СНО/m, 'no registration parameters on the close report');

  assert.is((await run('reregister', { reasons: ['fn_replacement'] })).status, 'rejected', 'the old FN cannot be re-registered');
  const swapped = await run('replace_fn', { fnNumber: '9999078900009999' });
  assert.is(swapped.status, 'done', JSON.stringify(swapped));
  assert.is((await status()).fnNumber, '9999078900009999');
  assert.is((await status()).phase, 0x01);
  const onNew = await run('reregister', { reasons: ['fn_replacement'] });
  assert.is(onNew.status, 'done', JSON.stringify(onNew));
  assert.is(onNew['fd'], 1, 'a fresh archive');
  assert.is(onNew['report_type'], 1);
  assert.is(onNew['fn_number'], '9999078900009999');
  assert.is(findTag(decodeTlv((await readArchivedTlv(fn, 1)).tlv), 1205)?.value, 1, 'reason bit 0: FN replacement');
  const replacedPaper = await paper('ЗАМЕНА ФН');
  assert.match(replacedPaper, /^ФН +9999078900009999$/m);
  assert.match(replacedPaper, /^ФД +1$/m);

  await jobs.publish(JSON.stringify({ ...sample, id: 'life-sale-2' }));
  const sale = await jobs.final('life-sale-2');
  assert.is(sale.status, 'done', JSON.stringify(sale.error));
  assert.is(sale.payload?.fn_number, '9999078900009999');
});

it.run();
