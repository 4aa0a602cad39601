/** `kassa run`: the register. Demo mode (everything emulated, embedded broker) by default. */
import { parseArgs } from 'node:util';
import { serviceManager } from '../../drivers/systemd/sd-notify.ts';
import { startApp } from '../app.ts';
import { systemClock } from '../core/clock.ts';
import { createLog } from '../core/log.ts';
import { LogRing } from '../core/log-ring.ts';
import { ServiceWatchdog, type HealthVerdict } from '../status/service-watchdog.ts';
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
    const clock = systemClock();
    const app = await startApp(config, { clock, log, random: Math.random, out: ctx.out, logTail: (n) => recent.tail(n) });
    // Under systemd (Type=notify): READY=1 now, WATCHDOG=1 while the FN answers (deploy/kassa.service).
    const watchdog = new ServiceWatchdog({
      manager: serviceManager({ env: ctx.env, pid: ctx.pid }),
      clock,
      log,
      health: async (): Promise<HealthVerdict> => {
        const s = await app.status();
        return s.fn ? { healthy: true, status: `taking jobs; FN ${s.fn.number} answers, last FD ${s.fn.last_fd}` } : { healthy: false, reason: `FN does not answer: ${s.fn_error ?? 'no status'}` };
      },
    });
    await watchdog.start();
    const consoleHint = app.console.port !== undefined ? `   Console: npm run kassa -- console` : '';
    ctx.out(`kassa-runtime is running (${config.deviceId}). Send a job: npm run kassa -- send-job device-config/samples/sell-atol.json${consoleHint}   Stop: Ctrl+C`);
    return new Promise<number>((resolve) => {
      let stopping = false;
      ctx.onStop(() => {
        if (stopping) return;
        stopping = true;
        log.info('stopping…');
        void watchdog
          .stop()
          .then(() => app.pipeline.idle())
          .then(() => app.stop())
          .then(() => resolve(0));
      });
    });
  },
};
