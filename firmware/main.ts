/**
 * Process entry of kassa-runtime: reads the command line, runs one command, maps signals
 * to a clean stop. The only file that touches `process` (DESIGN.md §2).
 */
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError, type CliContext, type CommandEntry } from './cli/cli-context.ts';
import { ConfigError } from './config/parse-config.ts';
import { versionLine } from './core/build-info.ts';
import { systemClock } from './core/clock.ts';
import { KassaError } from './core/kassa-error.ts';

/**
 * Exit codes (deploy/README.md, "Exit codes"): 0 stopped; 1 failed — could not start or broke
 * (systemd restarts it, with back-off); 2 wrong command line; 75 restart me (run-command.ts);
 * 78 EX_CONFIG (sysexits.h): the config file is wrong, which no restart mends, so the unit's
 * RestartPreventExitStatus=78 stops the loop until someone fixes it and starts it again.
 */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_CONFIG = 78;

/** Each command's code is loaded only when it runs (cli-context.ts CommandEntry). */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'run', summary: 'run the register (default config: device-config/demo.json, everything emulated)', load: async () => (await import('./cli/run-command.ts')).runCommand },
  { name: 'send-job', summary: 'publish job file(s) to the register and print the results', load: async () => (await import('./cli/send-job-command.ts')).sendJobCommand },
  { name: 'console', summary: 'the debug console of a running register (kassa console help)', load: async () => (await import('./cli/console-command.ts')).consoleCommand },
  { name: 'fn-emulator', summary: 'run the FN emulator on a serial line (e.g. one end of a socat pty pair)', load: async () => (await import('./cli/fn-emulator-command.ts')).fnEmulatorCommand },
  { name: 'stack', summary: 'map a stack trace of the bundled register back to its sources (the release\'s source map)', load: async () => (await import('./cli/stack-command.ts')).stackCommand },
  { name: 'cloud', summary: 'the cloud side: claim answers, signed commands, profiles, firmware updates, watching', load: async () => (await import('./cli/cloud-command.ts')).cloudCommand },
];

/** The real folder of the script node runs (a symlinked `kassa` finds the release beside it); as given when that cannot be resolved. */
function programDir(script: string | undefined): string {
  try {
    return dirname(realpathSync(script ?? '.'));
  } catch {
    return dirname(script ?? '.');
  }
}

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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    console.error(`kassa: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
  if (command.name !== entry.name) throw new Error(`kassa: command "${entry.name}" loaded "${command.name}"`);
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
      async readAll() {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
    },
    programDir: programDir(process.argv[1]),
    kill: () => process.kill(process.pid, 'SIGKILL'),
    exit: (code) => process.exit(code),
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
      return EXIT_CONFIG;
    }
    if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`kassa ${command.name}: ${e.message}\n\n${command.usage}`);
      return EXIT_USAGE;
    }
    // A failure the register knows (a port taken, an FN line that cannot open, a journal it
    // cannot write): one line with its code, for `journalctl -u kassa`; the log above has the detail.
    if (e instanceof KassaError) {
      console.error(`kassa ${command.name}: ${e.message.replace(/\n\s*/g, '; ')} [${e.code}]`);
      return EXIT_FAILED;
    }
    // The system refused (a data dir that cannot be made or written, a config file missing):
    // its own message names the path and the errno code.
    if (e instanceof Error && 'syscall' in e && 'code' in e) {
      console.error(`kassa ${command.name}: ${e.message} [${String(e.code)}]`);
      return EXIT_FAILED;
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
    process.exitCode = EXIT_FAILED;
  },
);
