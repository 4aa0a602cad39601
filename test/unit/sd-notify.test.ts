/** The service-manager face (drivers/systemd/sd-notify.ts): what it reads from the environment. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { serviceManager } from '../../drivers/systemd/sd-notify.ts';

const MISSING_TOOL = '/nonexistent/systemd-notify';

test('no NOTIFY_SOCKET: not present, no watchdog, notify runs nothing', async () => {
  const m = serviceManager({ env: { WATCHDOG_USEC: '1000000' }, pid: 42, tool: MISSING_TOOL });
  assert.is(m.present, false);
  assert.is(m.watchdogMs, undefined);
  await m.notify({ READY: '1' }); // would reject if it spawned the missing tool
});

test('WATCHDOG_USEC is the period in µs, for this process when WATCHDOG_PID is absent or ours', () => {
  assert.is(serviceManager({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '90000000' }, pid: 42 }).watchdogMs, 90_000);
  assert.is(serviceManager({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '90000000', WATCHDOG_PID: '42' }, pid: 42 }).watchdogMs, 90_000);
  assert.is(serviceManager({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '90000000', WATCHDOG_PID: '41' }, pid: 42 }).watchdogMs, undefined);
  assert.is(serviceManager({ env: { NOTIFY_SOCKET: '/run/x' }, pid: 42 }).watchdogMs, undefined);
  assert.is(serviceManager({ env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: 'soon' }, pid: 42 }).watchdogMs, undefined);
});

test('a failing notify tool rejects, so the watchdog can count it', async () => {
  const m = serviceManager({ env: { NOTIFY_SOCKET: '/run/x' }, pid: 42, tool: MISSING_TOOL });
  assert.is(m.present, true);
  let failed = false;
  await m.notify({ WATCHDOG: '1' }).catch(() => (failed = true));
  assert.ok(failed);
});

test.run();
