/**
 * Issue 12 §4: with security.technicianPin set, the console's acting commands wait for
 * `login <PIN>`; looking commands stay open; wrong PINs lock the console's logins for a
 * while; the PIN and its hash appear neither in the console's config, nor in logs, nor in
 * the status. A real register, its console on TCP, MQTT on a real mosquitto.
 */
import { connect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { socketPort } from '../../drivers/socket-port.ts';
import { ConsoleClient } from '../../firmware/console/console-client.ts';
import { createLog } from '../../firmware/core/log.ts';
import { hashPin } from '../../firmware/security/technician-pin.ts';
import { removeDir, testConfig } from '../helpers/app-rig.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { startApp } from '../../firmware/app.ts';
import { systemClock } from '../../firmware/core/clock.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const it = suite('console PIN');

it('acting commands need the PIN; looking ones do not; wrong PINs lock; secrets shown nowhere', async () => {
  const broker = await startMosquitto();
  const dataDir = mkdtempSync(join(tmpdir(), 'kassa-pin-'));
  const hash = hashPin('2468');
  const config = testConfig(broker.url, dataDir, { console: { kind: 'tcp', host: '127.0.0.1', port: 0 }, security: { technicianPin: hash, pinMaxFailures: 3, pinLockMs: 60_000 } });
  const lines: string[] = [];
  const app = await startApp(config, { clock: systemClock(), log: createLog({ level: 'debug', write: (l) => lines.push(l) }), random: Math.random, out: () => {} });
  const socket = connect(app.console.port!, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const client = new ConsoleClient(socketPort(socket), systemClock(), 20_000);
  try {
    await client.ready();
    const text = async (line: string): Promise<string> => (await client.run(line)).join('\n');
    assert.match(await text('open-shift'), /acts on the register: "login <PIN>" first/);
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
    for (const where of [shown, status, lines.join('\n')]) {
      assert.not.ok(where.includes(hash), 'the hash is not shown');
      assert.not.ok(/2468/.test(where), 'the PIN is not shown');
    }
    assert.equal((app.describe()['provisioning'] as { technicianPin: Record<string, unknown> }).technicianPin['lockouts'], 1);
  } finally {
    socket.destroy();
    await app.stop();
    await broker.close();
    removeDir(dataDir);
  }
});

it.run();
