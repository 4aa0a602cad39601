/** `kassa run`: the register. Demo mode (everything emulated, embedded broker) by default. */
import { parseArgs } from 'node:util';
import { startApp } from '../app.ts';
import { systemClock } from '../core/clock.ts';
import { createLog, type Log, type LogLevel } from '../core/log.ts';
import { LogRing } from '../core/log-ring.ts';
import type { CliContext, Command } from './cli-context.ts';
import { loadRegisterConfig } from '../provisioning/register-start.ts';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULT_CONFIG } from './load-config.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the register (default config: device-config/demo.json, everything emulated)',
  usage: `kassa run [--config <file>]
  --config <file>   device configuration, default ${DEFAULT_CONFIG} (keys: device-config/README.md);
                    a factory config (with "claim") claims the register's identity at first start`,
  async run(ctx: CliContext): Promise<number> {
    const { values } = parseArgs({ args: [...ctx.args], options: { config: { type: 'string', default: DEFAULT_CONFIG } } });
    const recent = new LogRing();
    const logAt = (level: LogLevel): Log =>
      createLog({
        level,
        write: (line) => {
          recent.push(line);
          ctx.err(line);
        },
      });
    // A factory config claims the register's identity first (issue 12 §1). An applied profile
    // restarts the register with the config as it then resolves (issue 12 §2); Ctrl+C stops either.
    const aborted = new AbortController();
    let stopping = false;
    let wake: (() => void) | undefined;
    ctx.onStop(() => {
      stopping = true;
      aborted.abort();
      wake?.();
    });
    for (;;) {
      const resolved = await loadRegisterConfig(values.config, { clock: systemClock(), log: logAt, firmware: pkg.version, signal: aborted.signal });
      const config = resolved.config;
      const log = logAt(config.log.level);
      let restartFor: string | undefined;
      const provisioning = { base: resolved.base, profileVersion: resolved.profileVersion, provisioned: resolved.provisioned, firmware: pkg.version, restart: (why: string) => ((restartFor = why), wake?.()) };
      const app = await startApp(config, { clock: systemClock(), log, random: Math.random, out: ctx.out, logTail: (n) => recent.tail(n), provisioning });
      const consoleHint = app.console.port !== undefined ? `   Console: npm run kassa -- console` : '';
      ctx.out(`kassa-runtime is running (${config.deviceId}). Send a job: npm run kassa -- send-job device-config/samples/sell-atol.json${consoleHint}   Stop: Ctrl+C`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (stopping) resolve();
      });
      log.info(stopping || restartFor === undefined ? 'stopping…' : `restarting: ${restartFor}`);
      await app.pipeline.idle();
      await app.stop();
      if (stopping || restartFor === undefined) return 0;
    }
  },
};
