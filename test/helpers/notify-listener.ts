/**
 * A stand-in for systemd's notification socket: an AF_UNIX datagram socket that records every
 * sd_notify(3) message, as the service manager would receive it. Node has no AF_UNIX datagram
 * sockets, so Perl (essential on Debian) listens; like the manager, it reads each message
 * without keeping the descriptor systemd-notify passes with BARRIER=1, so the barrier completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LISTENER = `
use strict; use IO::Socket::UNIX; $| = 1;
my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0]) or die "listen $ARGV[0]: $!";
print "listening\\n";
while (1) { my $m; defined($s->recv($m, 4096)) or die "recv: $!"; $m =~ s/\\n+$//; $m =~ s/\\n/ /g; print "$m\\n"; }
`;

export interface NotifyListener {
  /** The path to put in NOTIFY_SOCKET. */
  readonly socket: string;
  /** Every message so far, one line each, assignments separated by spaces; BARRIER=1 left out. */
  readonly messages: readonly string[];
  /** Resolves with the first message from index `from` on that matches, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms: number, from?: number): Promise<string>;
  close(): Promise<void>;
}

export async function notifyListener(): Promise<NotifyListener> {
  const dir = mkdtempSync(join(tmpdir(), 'kassa-notify-'));
  const socket = join(dir, 'notify');
  const messages: string[] = [];
  const proc: ChildProcess = spawn('perl', ['-e', LISTENER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  const waiters = new Set<() => void>();
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line !== 'listening' && line !== 'BARRIER=1') messages.push(line);
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      if (chunk.toString().includes('listening')) resolve();
    };
    proc.stdout?.once('data', onData);
    proc.once('exit', (code) => reject(new Error(`notify listener exited (${code})`)));
  });
  return {
    socket,
    messages,
    waitFor(pattern, ms, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = messages.slice(from).find((m) => pattern.test(m));
          if (hit === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no notify message matching ${pattern} within ${ms} ms; got: ${messages.slice(from).join(' | ')}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
