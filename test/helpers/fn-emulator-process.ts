/**
 * The FN emulator as a process of its own (`kassa fn-emulator`) on one end of a pty, started
 * and waited for until it says it is on the line: tsx start-up takes seconds on a loaded
 * machine, so a fixed pause is either too short there or wasted here. Its warnings and errors
 * go on to the test's stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pollUntil } from './poll.ts';

export async function startFnEmulatorProcess(args: readonly string[], timeoutMs = 30_000): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'firmware/main.ts', 'fn-emulator', ...args, '--log', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let ready = false;
  let exited = false;
  proc.once('exit', () => void (exited = true));
  proc.stderr?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (/ INFO /.test(line)) ready ||= / FN emulator \d+ on /.test(line);
      else if (line.trim() !== '') process.stderr.write(`${line}\n`);
    }
  });
  await pollUntil(() => ready || exited, { timeoutMs, intervalMs: 20, what: 'the FN emulator process to be on its line' });
  if (!ready) throw new Error('the FN emulator process exited before it was ready');
  return proc;
}
