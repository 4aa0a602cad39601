/**
 * The technician's debug console (mission item 7), end to end: the register runs with its
 * console on one end of a real pty pair (socat) and a terminal on the other, driven through
 * the real serialport binding; MQTT is a real mosquitto. Reading commands show the FN, the
 * archive and the jobs; acting commands go through the same job queue as the cloud's jobs
 * (their results reach the cloud too). Then the TCP console and the `kassa console` CLI.
 */
import { systemClock } from '../../firmware/core/clock.ts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { openSerialPort } from '../../drivers/serial-port.ts';
import type { BytePort } from '../../drivers/port.ts';
import { ConsoleClient } from '../../firmware/console/console-client.ts';
import { hashPin } from '../../firmware/security/technician-pin.ts';
import { removeDir, startAppRig, type AppRig } from '../helpers/app-rig.ts';
import { connectCloud, type Cloud } from '../helpers/cloud.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { ptyPair, type PtyPair } from '../helpers/pty-pair.ts';

interface Ctx {
  broker?: Mosquitto;
  pty?: PtyPair;
  rig?: AppRig;
  cloud?: Cloud;
  terminal?: BytePort;
  client?: ConsoleClient;
}

/** The technician PIN these registers are configured with (issue 12 §4: acting commands need it). */
const PIN = '7319';
const security = { technicianPin: hashPin(PIN) };
const LOCAL_API_TOKEN = 'console-must-not-show-this-token';

const serial = suite<Ctx>('debug console on a serial line', {});

serial.before(async (ctx) => {
  ctx.broker = await startMosquitto();
  ctx.pty = await ptyPair();
  ctx.rig = await startAppRig(ctx.broker.url, { console: { kind: 'serial', path: ctx.pty.a, baudRate: 115200 }, security, localApi: { token: LOCAL_API_TOKEN } });
  ctx.cloud = await connectCloud(ctx.broker.url, ctx.rig.config.mqtt.topicPrefix);
  await ctx.cloud.online();
  ctx.terminal = await openSerialPort({ path: ctx.pty.b, baudRate: 115200 });
  ctx.client = new ConsoleClient(ctx.terminal, systemClock(), 20_000);
  // The greeting may come before or after the terminal opened the line: sync on a marker.
  await ctx.client.sync();
});

serial.after(async (ctx) => {
  ctx.client?.close();
  await ctx.terminal?.close();
  await ctx.cloud?.close();
  await ctx.rig?.stop();
  await ctx.pty?.close();
  await ctx.broker?.close();
  if (ctx.rig) removeDir(ctx.rig.dataDir);
});

serial('status: the FN in fiscal mode, the OFD backlog, the jobs', async (ctx) => {
  const lines = await ctx.client!.run('status');
  const text = lines.join('\n');
  assert.match(text, /^device +test-\d+/m);
  assert.match(text, /^FN +9999078900005488 +phase 2: fiscal mode/m);
  assert.match(text, /^OFD +\d+ unsent/m);
  assert.match(text, /^jobs +done \d+/m);
  const json = JSON.parse((await ctx.client!.run('status --json')).join('\n')) as { fn?: { phase: number } };
  assert.is(json.fn?.phase, 3, 'status --json is the status topic object');
});

serial('a job from the cloud shows in jobs, its document tag by tag in fd', async (ctx) => {
  const job = JSON.parse(readFileSync('device-config/samples/sell-atol.json', 'utf8')) as Record<string, unknown>;
  await ctx.cloud!.publish(JSON.stringify({ ...job, id: 'console-seen-1' }));
  const done = await ctx.cloud!.final('console-seen-1');
  assert.is(done.status, 'done');
  const fd = done.payload?.fiscal_document_number;
  const jobs = (await ctx.client!.run('jobs')).join('\n');
  assert.match(jobs, new RegExp(`done +FD ${fd} +sell +console-seen-1`));
  const doc = (await ctx.client!.run(`fd ${fd}`)).join('\n');
  assert.match(doc, new RegExp(`^FD +${fd}, document type 3 \\(receipt\\)`, 'm'));
  assert.match(doc, new RegExp(`^fiscalDocumentNumber \\(1040\\): ${fd}$`, 'm'));
  assert.match(doc, /^totalSum \(1020\): 985\.80$/m);
  assert.match(doc, /^ {2}productName \(1030\): Молоко 3,2% 1 л$/m, 'Cyrillic arrives as the technician reads it');
  const one = (await ctx.client!.run('job console-seen-1')).join('\n');
  assert.match(one, /^status +done/m);
});

serial('acting commands go through the job queue, and the cloud sees their results', async (ctx) => {
  assert.match((await ctx.client!.run('x-report'))[0] ?? '', /"login <PIN>" first/);
  assert.equal(await ctx.client!.run(`login ${PIN}`), ['logged in: acting commands allowed until "logout", "exit", or 5 min without input'], 'the PIN echoed as stars, so the client saw its own line');
  const x = await ctx.client!.run('x-report');
  assert.match(x[0] ?? '', /^result +done: СМЕНА \d+ ОТКРЫТА/);
  const close = await ctx.client!.run('close-shift');
  assert.match(close[0] ?? '', /^result +done/);
  assert.match(close[1] ?? '', /^FD +\d+ +FPD \d+/);
  assert.match((await ctx.client!.run('status')).join('\n'), /^shift +\d+ closed/m);
  const consoleJobs = [...ctx.cloud!.results.keys()].filter((id): id is string => id?.startsWith('console-close_shift-') ?? false);
  assert.is(consoleJobs.length, 1, 'the close-shift job reached the cloud as a result');
  assert.ok(ctx.cloud!.results.get(consoleJobs[0]!)?.some((r) => r.status === 'done'));
});

serial('bad input: a clear error, the register unharmed', async (ctx) => {
  assert.equal(await ctx.client!.run('fd x'), ['error: the FD number must be a whole number ≥ 1, got "x"', 'usage: fd <number>']);
  assert.match((await ctx.client!.run('fd 99999'))[0] ?? '', /^error: /, 'an FD the archive does not have');
  assert.equal(await ctx.client!.run('job nosuch'), ['no job "nosuch"']);
  assert.equal(await ctx.client!.run('reboot'), ['unknown command "reboot": type "help"']);
  assert.match((await ctx.client!.run('status')).join('\n'), /phase 2: fiscal mode/, 'still working');
});

serial('config shows the configuration with the secrets masked', async (ctx) => {
  const text = (await ctx.client!.run('config')).join('\n');
  const config = JSON.parse(text) as { fn: { secret?: string; kind: string }; console: { kind: string }; localApi: { token?: string } };
  assert.is(config.fn.kind, 'emulator');
  assert.is(config.fn.secret, '***');
  assert.is(config.localApi.token, '***', 'the local API token lets anyone on the LAN make receipts');
  assert.not.ok(text.includes(LOCAL_API_TOKEN));
  assert.is(config.console.kind, 'serial');
});

serial.run();

const tcp = suite('TCP console and the kassa console CLI');

tcp('`kassa console <command>` prints the answer and exits 0; a bad command exits 1', async () => {
  const broker = await startMosquitto();
  const rig = await startAppRig(broker.url, { console: { kind: 'tcp', host: '127.0.0.1', port: 0 }, security });
  try {
    const port = rig.app.console.port;
    assert.ok(port, 'the console listens on a port');
    const run = (env: Record<string, string | undefined>, args: string[]): Promise<{ stdout: string; code: number }> =>
      promisify(execFile)('node', ['--import', 'tsx', 'firmware/main.ts', 'console', ...args, '--host', '127.0.0.1', '--port', String(port)], { env: { ...process.env, KASSA_PIN: undefined, ...env } }).then(
        ({ stdout }) => ({ stdout, code: 0 }),
        (e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }),
      );
    const cli = (...args: string[]): Promise<{ stdout: string; code: number }> => run({ KASSA_PIN: PIN }, args);
    const fn = await cli('fn');
    assert.is(fn.code, 0);
    assert.match(fn.stdout, /^phase +phase 2: fiscal mode$/m);
    assert.match(fn.stdout, /^valid +until \d\d\.\d\d\.\d{4}/m);
    const bad = await cli('fd', 'x');
    assert.is(bad.code, 1);
    assert.match(bad.stdout, /^error: the FD number/m);

    // Issue 11 §4: options after the command belong to it; a failed job exits non-zero.
    const json = await cli('status', '--json');
    assert.is(json.code, 0, json.stdout);
    const st = JSON.parse(json.stdout) as { fn?: { phase: number; phase_name: string } };
    assert.equal([st.fn?.phase, st.fn?.phase_name], [3, 'phase 2: fiscal mode'], 'the status names the phase as the console does');
    const copy = await cli('copy', '99999');
    assert.is(copy.code, 1, copy.stdout);
    assert.match(copy.stdout, /^result +fail/m);
    // Issue 12 §4: an acting command without the PIN is refused (exit 1); --pin works too; a
    // wrong PIN prints the console's answer, never the PIN.
    const noPin = await run({}, ['copy', '1']);
    assert.is(noPin.code, 1, noPin.stdout);
    assert.match(noPin.stdout, /^refused: "copy" acts on the register: "login <PIN>" first$/m);
    const byOption = await run({}, ['x-report', '--pin', PIN]);
    assert.is(byOption.code, 0, byOption.stdout);
    assert.match(byOption.stdout, /^result +done/m);
    const wrong = await run({ KASSA_PIN: '5150' }, ['x-report']);
    assert.is(wrong.code, 1, wrong.stdout);
    assert.match(wrong.stdout, /^wrong PIN/m);
    for (const out of [copy, noPin, byOption, wrong]) assert.not.match(out.stdout, /7319|5150/, 'no PIN in the output');
    const ofd = await cli('ofd');
    assert.match(ofd.stdout, /"pVersion": "0120"/, 'the P-protocol version as the config writes it');
    const doc = await cli('fd', '1');
    assert.is(doc.code, 0);
    assert.match(doc.stdout, /\(1012\): \d\d\.\d\d\.\d{4} \d\d:\d\d$/m, 'dates as the receipt prints them');
    assert.match(doc.stdout, /\(1209\): 4 ФФД 1\.2$/m, 'codes with their names');
    const help = await promisify(execFile)('node', ['--import', 'tsx', 'firmware/main.ts', 'console', '--help']);
    assert.match(help.stdout, /^kassa console/);
  } finally {
    await rig.stop();
    await broker.close();
    removeDir(rig.dataDir);
  }
});

tcp.run();
