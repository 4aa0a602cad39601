/**
 * Process entry of kassa-runtime: reads the command line, runs one command, maps signals
 * to a clean stop. The only file that touches `process` (DESIGN.md §2).
 */
import { UsageError, type CliContext, type Command } from './cli/cli-context.ts';
import { cloudCommand } from './cli/cloud-command.ts';
import { consoleCommand } from './cli/console-command.ts';
import { fnEmulatorCommand } from './cli/fn-emulator-command.ts';
import { runCommand } from './cli/run-command.ts';
import { sendJobCommand } from './cli/send-job-command.ts';
import { ConfigError } from './config/parse-config.ts';
import { versionLine } from './core/build-info.ts';
import { systemClock } from './core/clock.ts';

const COMMANDS: readonly Command[] = [runCommand, sendJobCommand, consoleCommand, fnEmulatorCommand, cloudCommand];

function help(): string {
  return ['usage: kassa <command> [options]', '       kassa --version', '', 'commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`), '', 'kassa <command> --help shows its options'].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(help());
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(versionLine());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`kassa: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  const ctx: CliContext = {
    args,
    env: process.env,
    pid: process.pid,
    clock: systemClock(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (bytes) => process.stdout.write(bytes),
    stdin: {
      onData(listener) {
        const handler = (chunk: Buffer): void => listener(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        process.stdin.on('data', handler);
        process.stdin.resume();
        return () => {
          process.stdin.off('data', handler);
          process.stdin.pause();
        };
      },
      setRawMode(on) {
        if (process.stdin.isTTY) process.stdin.setRawMode(on);
      },
    },
    kill: () => process.kill(process.pid, 'SIGKILL'),
    onStop(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`kassa ${command.name}: ${e.message}`);
      return 2;
    }
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`kassa ${command.name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    throw e;
  }
}

// `kassa console help | head -3`: a reader that stops reading is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  },
);
