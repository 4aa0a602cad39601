/**
 * The other end of the console, for scripts and tests: sends one command line at a time
 * over a BytePort and returns its answer — the lines between the echoed command and the
 * next prompt — so `kassa console status` can print an answer and exit.
 */
import type { BytePort } from '../../drivers/port.ts';
import type { Clock } from '../core/clock.ts';
import { PROMPT } from './console-session.ts';
import { echoOf } from './line-editor.ts';

export class ConsoleClient {
  private text = '';
  private waiter: (() => void) | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly port: BytePort,
    private readonly clock: Clock,
    private readonly timeoutMs = 60_000,
  ) {
    this.unsubscribe = port.onData((chunk) => {
      this.text += Buffer.from(chunk).toString('utf8');
      this.waiter?.();
    });
  }

  /** Waits for the greeting and the first prompt; returns the greeting lines. */
  async ready(): Promise<string[]> {
    return this.untilPrompt();
  }

  /**
   * For a line whose far end may already have talked (a serial console greets once, maybe
   * before this end opened it): types a marker line the console does not know and drops
   * everything up to the prompt after its answer, so the next `run` reads its own answer.
   */
  async sync(): Promise<void> {
    const marker = `sync-${this.clock.now().toString(36)}`;
    await this.port.write(Buffer.from(`${marker}\r`, 'utf8'));
    for (;;) {
      const lines = await this.untilPrompt();
      if (lines.includes(marker)) return;
    }
  }

  /** Runs one command line; resolves with its answer lines. */
  async run(line: string): Promise<string[]> {
    await this.port.write(Buffer.from(`${line}\r`, 'utf8'));
    const lines = await this.untilPrompt();
    // The first line is the echo of what was typed (a PIN echoed as stars).
    return lines[0] === echoOf(line) ? lines.slice(1) : lines;
  }

  close(): void {
    this.unsubscribe();
  }

  private async untilPrompt(): Promise<string[]> {
    const deadline = this.clock.now() + this.timeoutMs;
    while (!this.text.endsWith(PROMPT)) {
      const left = deadline - this.clock.now();
      if (left <= 0) throw new Error(`no prompt from the console within ${this.timeoutMs} ms; got ${JSON.stringify(this.text.slice(-200))}`);
      await new Promise<void>((resolve) => {
        const timer = this.clock.after(left, resolve);
        this.waiter = () => {
          timer.cancel();
          resolve();
        };
      });
      this.waiter = undefined;
    }
    const answer = this.text.slice(0, -PROMPT.length);
    this.text = '';
    return answer.split('\r\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  }
}
