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
    // A factory config claims the register's identity first (issue 12 §1); Ctrl+C stops the claim.
    const aborted = new AbortController();
    const offClaimStop = ctx.onStop(() => aborted.abort());
    const { config } = await loadRegisterConfig(values.config, { clock: systemClock(), log: logAt, firmware: pkg.version, signal: aborted.signal }).finally(offClaimStop);
    const log = logAt(config.log.level);
    const app = await startApp(config, { clock: systemClock(), log, random: Math.random, out: ctx.out, logTail: (n) => recent.tail(n) });
    const consoleHint = app.console.port !== undefined ? `   Console: npm run kassa -- console` : '';
    ctx.out(`kassa-runtime is running (${config.deviceId}). Send a job: npm run kassa -- send-job device-config/samples/sell-atol.json${consoleHint}   Stop: Ctrl+C`);
    return new Promise<number>((resolve) => {
      let stopping = false;
      ctx.onStop(() => {
        if (stopping) return;
        stopping = true;
        log.info('stopping…');
        void app.pipeline.idle().then(() => app.stop()).then(() => resolve(0));
      });
    });
  },
};
