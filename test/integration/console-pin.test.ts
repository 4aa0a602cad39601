/**
 * Issue 12 §4: the console's acting commands need the technician PIN — with none configured
 * they are refused, saying how to set one; with one, they wait for `login <PIN>`; looking
 * commands stay open; wrong PINs lock the console's logins for a while. The PIN and its hash
 * appear nowhere: not in the console's transcript (the PIN is echoed as stars), its config,
 * the logs, the status, nor the results the cloud receives. A real register, its console on
 * TCP, MQTT on a real mosquitto.
 */
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { socketPort } from '../../drivers/socket-port.ts';
import { ConsoleClient } from '../../firmware/console/console-client.ts';
import { createLog } from '../../firmware/core/log.ts';
import { hashPin } from '../../firmware/security/technician-pin.ts';
import { removeDir, testConfig } from '../helpers/app-rig.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { connectCloud } from '../helpers/cloud.ts';
import { startApp, type App } from '../../firmware/app.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const it = suite('console PIN');

/** A console client on the app's TCP console, and every byte the register sent it. */
async function openConsole(app: App): Promise<{ socket: Socket; client: ConsoleClient; transcript: () => string; text: (line: string) => Promise<string> }> {
  const socket = connect(app.console.port!, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const client = new ConsoleClient(socketPort(socket), systemClock(), 20_000);
  await client.ready();
  return { socket, client, transcript: () => Buffer.concat(received).toString('utf8'), text: async (line) => (await client.run(line)).join('\n') };
}

it('no PIN configured: acting commands are refused with how to set one; looking commands work', async () => {
  const broker = await startMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-pin-'));
  const lines: string[] = [];
  const config = testConfig(broker.url, dataDir, { console: { kind: 'tcp', host: '127.0.0.1', port: 0 } });
  const app = await startApp(config, { clock: systemClock(), log: createLog({ level: 'info', write: (l) => lines.push(l) }), random: Math.random, out: () => {} });
  const c = await openConsole(app);
  try {
    const refused = await c.text('open-shift');
    assert.match(refused, /^refused: "open-shift" acts on the register and needs the technician PIN, and none is configured/);
    assert.match(refused, /kassa cloud pin-hash <PIN>/, 'says how to set one');
    assert.match(refused, /security\.technicianPin/);
    assert.match(await c.text('login 1234'), /^no technician PIN is configured, so acting commands are refused/);
    assert.match(await c.text('close-shift'), /^refused: /, 'a login attempt opens nothing');
    assert.match(await c.text('status'), /^device +test-/m, 'looking commands stay open');
    assert.not.ok((await c.text('jobs')).includes('console-'), 'the refused commands made no job');
    assert.ok(lines.some((l) => l.includes('no security.technicianPin: the console refuses its acting commands')), 'the register warns at start');
  } finally {
    c.socket.destroy();
    await app.stop();
    await broker.close();
    removeDir(dataDir);
  }
});

it('acting commands need the PIN; looking ones do not; wrong PINs lock; secrets shown nowhere', async () => {
  const broker = await startMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-pin-'));
  const hash = hashPin('2468');
  const config = testConfig(broker.url, dataDir, { console: { kind: 'tcp', host: '127.0.0.1', port: 0 }, security: { technicianPin: hash, pinMaxFailures: 3, pinLockMs: 60_000 } });
  const lines: string[] = [];
  const app = await startApp(config, { clock: systemClock(), log: createLog({ level: 'debug', write: (l) => lines.push(l) }), random: Math.random, out: () => {} });
  const cloud = await connectCloud(broker.url, config.mqtt.topicPrefix);
  const c = await openConsole(app);
  const text = c.text;
  try {
    assert.match(await text('open-shift'), /^refused: "open-shift" acts on the register: "login <PIN>" first/);
    assert.match(await text('status'), /^device +test-/m, 'looking commands stay open');
    assert.match(await text('login 1111'), /wrong PIN \(2 tries/);
    assert.match(await text('login 2468'), /logged in/);
    assert.match(await text('open-shift'), /^result +done/m);
    // The emulated FN's replacement keeps the FN's rules: not while it is in fiscal mode.
    assert.match(await text('replace-fn 9999078900001111'), /^rejected: close the fiscal archive first/m);
    assert.match(await text('replace-fn 12'), /16 digits/);
    assert.match(await text('logout'), /logged out/);
    assert.match(await text('close-shift'), /"login <PIN>" first/);
    assert.match(await text('login 1'), /wrong PIN/);
    assert.match(await text('login 2'), /wrong PIN/);
    assert.match(await text('login 3'), /locked for 60 s/);
    assert.match(await text('login 2468'), /locked for \d+ s/, 'even the right PIN during the lock');
    assert.match(await text('close-shift'), /"login <PIN>" first/);
    const shown = await text('config');
    assert.match(shown, /"technicianPin": "\*\*\*"/);
    const status = JSON.stringify(await app.status());
    const transcript = c.transcript();
    assert.match(transcript, /login \*\*\*\*\r\n/, 'the PIN is echoed as stars');
    const openShift = [...cloud.results.keys()].find((id) => id?.startsWith('console-open_shift-'));
    assert.ok(openShift, 'the console\'s job reached the cloud');
    const results = JSON.stringify([...cloud.results.values()]);
    for (const [what, where] of [
      ['console', transcript],
      ['config', shown],
      ['status', status],
      ['logs', lines.join('\n')],
      ['results', results],
    ] as const) {
      assert.not.ok(where.includes(hash) || where.includes(hash.split('$')[5]!), `the hash is not in the ${what}`);
      assert.not.ok(/2468/.test(where), `the PIN is not in the ${what}`);
    }
    assert.equal((app.describe()['provisioning'] as { technicianPin: Record<string, unknown> }).technicianPin['lockouts'], 1);
  } finally {
    c.socket.destroy();
    await cloud.close();
    await app.stop();
    await broker.close();
    removeDir(dataDir);
  }
});

it.run();
