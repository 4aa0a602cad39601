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

/** EX_TEMPFAIL: "start me again" to the service manager, after an update switched slots. */
const EXIT_RESTART = 75;

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
    // An update switched slots: stop cleanly and exit 75, which the service manager answers by
    // starting `current` again (deploy/kassa.service RestartForceExitStatus=75). It may come
    // while the app is still starting (a staged update resumed at boot), hence the pending code.
    let requestStop: ((code: number) => void) | undefined;
    let pendingExit: number | undefined;
    const restart = (): void => {
      log.info('restarting into the other program slot (exit 75)');
      if (requestStop) requestStop(EXIT_RESTART);
      else pendingExit = EXIT_RESTART;
    };
    const app = await startApp(config, { clock, log, random: Math.random, out: ctx.out, logTail: (n) => recent.tail(n), restart });
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
      const stop = (code: number): void => {
        if (stopping) return;
        stopping = true;
        log.info('stopping…');
        void watchdog
          .stop()
          .then(() => app.pipeline.idle())
          .then(() => app.stop())
          .then(() => resolve(code));
      };
      requestStop = stop;
      ctx.onStop(() => stop(0));
      if (pendingExit !== undefined) stop(pendingExit);
    });
  },
};
