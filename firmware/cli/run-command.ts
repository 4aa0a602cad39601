/** `kassa run`: the register. Demo mode (everything emulated, embedded broker) by default. */
import { parseArgs } from 'node:util';
import { startApp } from '../app.ts';
import { systemClock } from '../core/clock.ts';
import { createLog } from '../core/log.ts';
import { LogRing } from '../core/log-ring.ts';
import type { CliContext, Command } from './cli-context.ts';
import { DEFAULT_CONFIG, loadConfig } from './load-config.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the register (default config: device-config/demo.json, everything emulated)',
  usage: `kassa run [--config <file>]
  --config <file>   device configuration, default ${DEFAULT_CONFIG} (keys: device-config/README.md)`,
  async run(ctx: CliContext): Promise<number> {
    const { values } = parseArgs({ args: [...ctx.args], options: { config: { type: 'string', default: DEFAULT_CONFIG } } });
    const config = loadConfig(values.config);
    const recent = new LogRing();
    const log = createLog({
      level: config.log.level,
      write: (line) => {
        recent.push(line);
        ctx.err(line);
      },
    });
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
