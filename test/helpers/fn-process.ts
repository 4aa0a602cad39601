/**
 * The FN emulator as its own process (`kassa fn-emulator`) on one end of a socat pty: a real
 * FN outlives a crash of the register. Its durable state is a file, read by the tests with the
 * emulator stopped (fnStateDocuments).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { FnDevice } from '../../drivers/fn/emulator/fn-device.ts';
import type { ArchivedDocument } from '../../drivers/fn/emulator/fn-emulator-state.ts';
import { fileStateStore } from '../../drivers/fn/emulator/fn-state-store.ts';
import { ManualClock } from '../../firmware/core/clock.ts';
import { deviceOptions, testLog } from './fn-rig.ts';
import { pollUntil } from './poll.ts';

const NODE_ARGS = ['--import', 'tsx', 'firmware/main.ts'];

/** Starts the emulator on `devicePath`; resolves once it says it is on the line (tsx start-up takes seconds on a loaded machine). */
export async function startFnProcess(devicePath: string, statePath: string, delayMs = 0): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [...NODE_ARGS, 'fn-emulator', '--port', devicePath, '--state', statePath, '--no-timer-check', '--delay-ms', String(delayMs), '--log', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Its warnings and errors go on to the test's stderr.
  let ready = false;
  let exited = false;
  proc.once('exit', () => void (exited = true));
  proc.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (/ INFO /.test(line)) ready ||= / FN emulator \d+ on /.test(line);
      else if (line.trim() !== '') process.stderr.write(`${line}\n`);
    }
  });
  await pollUntil(() => ready || exited, { timeoutMs: 30_000, intervalMs: 20, what: 'the FN emulator process to be on its line' });
  if (!ready) throw new Error('the FN emulator process exited before it was ready');
  return proc;
}

/** The emulator's durable state as a device sees it at power-up (read with the emulator stopped). */
export function loadFnState(statePath: string): FnDevice {
  const store = fileStateStore(statePath);
  const device = new FnDevice({ store, clock: new ManualClock(Date.now()), log: testLog() }, deviceOptions({ secret: 'demo-fn-secret' }));
  device.boot();
  store.close();
  return device;
}

export function fnStateDocuments(statePath: string): ArchivedDocument[] {
  return [...loadFnState(statePath).snapshot.documents.values()];
}

/** Ends a process and waits for it to be gone. */
export async function stopProcess(p: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  await gone;
}
