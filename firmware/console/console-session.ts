/**
 * One technician at the console: a greeting, a prompt, each typed line run as a command
 * (console-commands.ts) in the order typed — a pasted list of commands works — and its
 * answer printed. Speaks to any BytePort: the service UART, or a TCP connection in demo.
 * A command that fails prints why; nothing the console does can stop the register.
 */
import type { BytePort } from '../../drivers/port.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { CONSOLE_COMMANDS, ConsoleUsageError, type ConsoleCommand, type ConsoleServices } from './console-commands.ts';
import { LineEditor } from './line-editor.ts';
import type { TechnicianPin } from '../security/technician-pin.ts';

export const PROMPT = 'kassa> ';

/**
 * A login ends after this long without a byte from the technician. A serial line cannot tell
 * that someone unplugged: without it, whoever plugs in next would find the last login open.
 */
export const LOGIN_IDLE_MS = 5 * 60_000;

/** How a register without a technician PIN gets one (issue 12 §4): never the PIN itself, its salted hash. */
export const HOW_TO_SET_PIN = 'set security.technicianPin to the hash that "kassa cloud pin-hash <PIN>" prints (device config, or the cloud\'s profile)';

export interface ConsoleSessionDeps {
  readonly port: BytePort;
  readonly services: ConsoleServices;
  readonly log: Log;
  /** Times a login's idleness (LOGIN_IDLE_MS). */
  readonly clock: Clock;
  /** `exit` typed: a TCP session closes; a serial line just greets again. */
  readonly onExit?: () => void;
  /**
   * The technician PIN: acting commands wait for `login <PIN>` (issue 12 §4). Without one
   * configured they are refused — a console is never open to whoever reaches it.
   */
  readonly pin?: TechnicianPin;
}

export class ConsoleSession {
  private readonly editor: LineEditor;
  private work: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private loggedIn = false;
  private idleTimer: TimerHandle | undefined;

  constructor(
    private readonly deps: ConsoleSessionDeps,
    private readonly greeting: string,
    private readonly commands: readonly ConsoleCommand[] = CONSOLE_COMMANDS,
  ) {
    this.editor = new LineEditor({
      echo: (bytes) => this.send(bytes),
      line: (text) => {
        this.work = this.work.then(() => this.run(text));
      },
      cancel: () => {
        this.work = this.work.then(() => this.write([], true));
      },
    });
  }

  start(): void {
    this.unsubscribe = this.deps.port.onData((chunk) => {
      if (this.loggedIn) this.armIdle();
      this.editor.push(chunk);
    });
    void this.write([this.greeting, 'type "help" for the commands'], true);
  }

  stop(): void {
    this.unsubscribe?.();
    this.setLoggedIn(false);
  }

  /** Resolves when every line typed so far has been answered. */
  idle(): Promise<void> {
    return this.work;
  }

  private async run(line: string): Promise<void> {
    const [name, ...args] = line.trim().split(/\s+/).filter((w) => w !== '');
    if (name === undefined) return this.write([], true);
    if (name === 'exit' || name === 'quit') {
      this.setLoggedIn(false);
      await this.write(['bye'], false);
      if (this.deps.onExit) return this.deps.onExit();
      return this.write([this.greeting], true);
    }
    if (name === 'login' || name === 'logout') return this.write(this.login(name, args[0]), true);
    const command = this.commands.find((c) => c.name === name);
    if (!command) return this.write([`unknown command "${name}": type "help"`], true);
    if (command.acting && !this.deps.pin) return this.write([`refused: "${name}" acts on the register and needs the technician PIN, and none is configured: ${HOW_TO_SET_PIN}`], true);
    if (command.acting && !this.loggedIn) return this.write([`refused: "${name}" acts on the register: "login <PIN>" first`], true);
    let out: string[];
    try {
      out = await command.run(this.deps.services, args);
    } catch (e) {
      if (e instanceof ConsoleUsageError) out = [`error: ${e.message}`, `usage: ${command.name} ${command.args}`.trimEnd()];
      else {
        this.deps.log.warn(`console: "${line.trim()}" failed: ${e instanceof Error ? e.message : String(e)}`);
        out = [`error: ${e instanceof Error ? e.message : String(e)}`];
      }
    }
    return this.write(out, true);
  }

  /** `login <PIN>` / `logout`: never logs or echoes the PIN back. */
  private login(name: string, pin: string | undefined): string[] {
    if (name === 'logout') {
      this.setLoggedIn(false);
      return ['logged out'];
    }
    if (!this.deps.pin) return [`no technician PIN is configured, so acting commands are refused: ${HOW_TO_SET_PIN}`];
    if (pin === undefined) return ['usage: login <PIN>'];
    const r = this.deps.pin.check(pin);
    if (r.ok) {
      this.setLoggedIn(true);
      return [`logged in: acting commands allowed until "logout", "exit", or ${LOGIN_IDLE_MS / 60_000} min without input`];
    }
    this.setLoggedIn(false);
    return r.reason === 'locked' ? [`too many wrong PINs: locked for ${Math.ceil((r.retryInMs ?? 0) / 1000)} s`] : [`wrong PIN (${r.failuresLeft ?? 0} tries before the lock)`];
  }

  private setLoggedIn(on: boolean): void {
    this.loggedIn = on;
    if (on) this.armIdle();
    else {
      this.idleTimer?.cancel();
      this.idleTimer = undefined;
    }
  }

  private armIdle(): void {
    this.idleTimer?.cancel();
    this.idleTimer = this.deps.clock.after(LOGIN_IDLE_MS, () => {
      this.idleTimer = undefined;
      if (!this.loggedIn) return;
      this.loggedIn = false;
      this.work = this.work.then(() => this.write(['', `logged out: ${LOGIN_IDLE_MS / 60_000} min without input`], true));
    });
  }

  private async write(lines: readonly string[], prompt: boolean): Promise<void> {
    const text = `${lines.map((l) => `${l}\r\n`).join('')}${prompt ? PROMPT : ''}`;
    await this.send(Buffer.from(text, 'utf8'));
  }

  private send(bytes: Uint8Array): Promise<void> {
    // A technician who unplugs mid-answer is not an error of the register.
    return this.deps.port.write(bytes).catch((e: unknown) => this.deps.log.debug(() => `console: write failed: ${String(e)}`));
  }
}
