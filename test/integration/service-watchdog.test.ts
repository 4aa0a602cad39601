/**
 * Issue 14 §1: under systemd the register says READY=1 once it takes jobs, and WATCHDOG=1 only
 * while its FN answers. Real processes: the runtime, the FN emulator on a socat pty, mosquitto,
 * and a datagram socket in place of systemd's notification socket (systemd-notify is the real one).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from '../helpers/app-rig.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';
import { notifyListener } from '../helpers/notify-listener.ts';
import { registerProcesses } from '../helpers/register-processes.ts';

test('READY=1 once taking jobs; WATCHDOG=1 only while the FN answers; STOPPING=1 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-watchdog-'));
  const broker = await startMosquitto();
  const notify = await notifyListener();
  // WATCHDOG_USEC 1.6 s: a ping every 0.8 s. FN timeouts in this rig are 1 s / 2 s.
  const reg = await registerProcesses(dir, broker.url, { runtimeEnv: { NOTIFY_SOCKET: notify.socket, WATCHDOG_USEC: '1600000' } });
  try {
    await reg.startFn();
    reg.startRuntime();
    await notify.waitFor(/^READY=1 STATUS=taking jobs$/, 30_000);
    const healthy = await notify.waitFor(/^WATCHDOG=1 STATUS=taking jobs; FN \d{16} answers, last FD \d+$/, 10_000);
    assert.match(healthy, /answers/);
    await notify.waitFor(/^WATCHDOG=1$/, 10_000);

    // The FN stops answering: the pings stop and STATUS says why.
    await reg.killFn();
    const unhealthy = await notify.waitFor(/^STATUS=unhealthy: /, 15_000);
    assert.match(unhealthy, /FN does not answer|health check did not answer/);
    const since = notify.messages.length;
    await notify.waitFor(/^STATUS=unhealthy: /, 15_000, since); // still withheld a tick later
    assert.not.ok(notify.messages.slice(since).some((m) => m.startsWith('WATCHDOG=1')), `no ping while the FN is gone: ${notify.messages.slice(since).join(' | ')}`);

    // The FN is back: the pings come back, with the healthy status.
    await reg.startFn();
    const back = notify.messages.length;
    await notify.waitFor(/^WATCHDOG=1 STATUS=taking jobs; FN \d{16} answers/, 20_000, back);

    await reg.killRuntime('SIGTERM');
    await notify.waitFor(/^STOPPING=1 STATUS=stopping$/, 10_000, back);
  } finally {
    await reg.close();
    await notify.close();
    await broker.stop();
    removeDir(dir);
  }
});

test.run();
