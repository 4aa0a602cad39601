/**
 * `kassa console`: the technician's console of a running register over its TCP port (demo
 * mode: 127.0.0.1:7323). With a command it prints that command's answer and exits; without
 * one it is an interactive terminal (quit with `exit` or Ctrl-D). On a register with the
 * console on its service UART, use any serial terminal instead (115200 8N1).
 *
 * The technician PIN (issue 12 §4) comes from the environment (`KASSA_PIN`, preferred: an
 * argument shows in `ps`) or `--pin`; with it the CLI logs in first. It is never printed:
 * the register echoes it as stars, and the login answer is shown only when it fails.
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { socketPort } from '../../drivers/socket-port.ts';
import { ConsoleClient } from '../console/console-client.ts';
import { UsageError, type CliContext, type Command } from './cli-context.ts';
import { DEFAULT_CONFIG, loadConfig } from './load-config.ts';

const CTRL_D = 0x04;

export const consoleCommand: Command = {
  name: 'console',
  usage: `kassa console [<command> [args…]] [--config <file>] [--host <host>] [--port <n>] [--pin <PIN>]
  <command>         run one console command, print its answer and exit (e.g. status --json, fn, fd 3, jobs 20);
                    every word after it but --config/--host/--port/--pin is the command's. Exits 1 when the
                    answer is an error or a failed job (copy 99)
                    without one: an interactive console; quit with "exit" or Ctrl-D
  --config <file>   the register's config, for the console's address; default ${DEFAULT_CONFIG}
  --host, --port    the console's address instead of the config's
  --pin <PIN>       log in with the technician PIN first (acting commands need it); better: the
                    environment variable KASSA_PIN, which other users cannot see in ps`,
  async run(ctx: CliContext): Promise<number> {
    const { values, positionals } = splitArgs(ctx.args);
    const c = loadConfig(values.config).console;
    if (c.kind !== 'tcp' && (values.host === undefined || values.port === undefined)) {
      throw new UsageError(c.kind === 'serial' ? `the console of this config is on ${c.path}: use a serial terminal there` : 'this config has no console ("console": {"kind": "tcp"} turns it on); or give --host and --port');
    }
    const host = values.host ?? (c.kind === 'tcp' ? c.host : '127.0.0.1');
    const portNumber = Number(values.port ?? (c.kind === 'tcp' ? c.port : NaN));
    if (!Number.isInteger(portNumber)) throw new UsageError(`--port must be a number, got "${values.port}"`);
    const socket = connect(portNumber, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (e) => reject(new UsageError(`cannot reach the console at ${host}:${portNumber}: ${e.message} (is the register running?)`)));
    });
    const port = socketPort(socket);
    const pin = values.pin ?? ctx.env['KASSA_PIN'];

    if (positionals.length > 0) {
      const client = new ConsoleClient(port, ctx.clock);
      await client.ready();
      if (pin !== undefined && pin !== '') {
        const login = await client.run(`login ${pin}`);
        if (!/^logged in/.test(login[0] ?? '')) {
          for (const line of login) ctx.out(line);
          client.close();
          await port.close();
          return 1;
        }
      }
      const answer = await client.run(positionals.join(' '));
      for (const line of answer) ctx.out(line);
      client.close();
      await port.close();
      return answerFailed(answer) ? 1 : 0;
    }

    // Interactive: the register echoes and edits the line; this side passes keys and text through.
    return new Promise<number>((resolve) => {
      const input = ctx.stdin;
      input.setRawMode(true);
      const stopInput = input.onData((chunk) => {
        if (chunk.includes(CTRL_D)) return void port.close();
        void port.write(chunk).catch(() => undefined);
      });
      port.onData((chunk) => ctx.write(chunk));
      // Typed as the technician would: the register echoes the PIN as stars.
      if (pin !== undefined && pin !== '') void port.write(Buffer.from(`login ${pin}\r`, 'utf8')).catch(() => undefined);
      port.onClose(() => {
        stopInput();
        input.setRawMode(false);
        ctx.out('');
        resolve(0);
      });
    });
  },
};

const OWN_OPTIONS = { config: { type: 'string', default: DEFAULT_CONFIG }, host: { type: 'string' }, port: { type: 'string' }, pin: { type: 'string' } } as const;

/**
 * The CLI's own options (--config, --host, --port, --pin) wherever they stand; every other word,
 * options included, belongs to the console command: `kassa console status --json` runs
 * "status --json" (issue 11 §4: it was refused as an unknown option).
 */
export function splitArgs(args: readonly string[]): { values: { config: string; host?: string; port?: string; pin?: string }; positionals: string[] } {
  const own: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const name = /^--(config|host|port|pin)(?:=|$)/.exec(a)?.[1];
    if (name === undefined) positionals.push(a);
    else if (a.includes('=')) own.push(a);
    else {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      own.push(a, value);
      i++;
    }
  }
  const { values } = parseArgs({ args: own, options: OWN_OPTIONS });
  return {
    values: { config: values.config, ...(values.host !== undefined ? { host: values.host } : {}), ...(values.port !== undefined ? { port: values.port } : {}), ...(values.pin !== undefined ? { pin: values.pin } : {}) },
    positionals,
  };
}

/**
 * A console answer that reports a failure: an error line, an unknown command, an acting
 * command refused for want of the PIN, a job whose result is `fail` (`console copy 99`), a
 * job or document that does not exist.
 */
export function answerFailed(answer: readonly string[]): boolean {
  const first = answer[0] ?? '';
  return /^(error:|refused:|unknown command|no job ")/.test(first) || answer.some((l) => /^result +fail\b/.test(l));
}
