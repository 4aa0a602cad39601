/** `kassa run`: the register. Demo mode (everything emulated, embedded broker) by default. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { serviceManager } from '../../drivers/systemd/sd-notify.ts';
import { startApp, type App } from '../app.ts';
import { ConfigError } from '../config/parse-config.ts';
import { BUILD_INFO } from '../core/build-info.ts';
import { KassaError } from '../core/kassa-error.ts';
import { crashAtPoint } from '../core/crash-point.ts';
import { createLog, type Log, type LogLevel } from '../core/log.ts';
import { LogRing } from '../core/log-ring.ts';
import { dataDirOf, parseRaw, type RawConfig } from '../provisioning/register-config.ts';
import { loadRegisterConfig } from '../provisioning/register-start.ts';
import { ServiceWatchdog, type HealthVerdict } from '../status/service-watchdog.ts';
import { UpdateStateFile } from '../update/update-state.ts';
import type { CliContext, Command } from './cli-context.ts';
import { DEFAULT_CONFIG } from './load-config.ts';

/** EX_TEMPFAIL: "start me again" to the service manager, after an update switched slots. */
const EXIT_RESTART = 75;
/** Broke while running (main.ts "Exit codes"): systemd starts it again after RestartSec. */
const EXIT_FAILED = 1;

/**
 * A config this release refuses is 78 to main.ts, which stops systemd's restarts
 * (RestartPreventExitStatus=78): no restart mends it. Except while an update is on trial: the
 * new release may be the one that is wrong (a stricter schema), and only further starts let
 * the boot guard count them and roll back to the release that took this config (issue 14 §2;
 * deploy/boot-guard.mjs). Then it is a failed start, exit 1. The data dir is the config's own
 * `dataDir` as written, or the default, read without the schema that just refused it.
 */
function refusedOnTrial(e: ConfigError, configPath: string): ConfigError | KassaError {
  let raw: RawConfig = {};
  try {
    raw = parseRaw(readFileSync(configPath, 'utf8'), configPath);
  } catch {
    // Unreadable or not JSON: the default place, as the schema would fill it in.
  }
  if (new UpdateStateFile(dataDirOf(raw)).read()?.phase !== 'trial') return e;
  return new KassaError('CONFIG', `${e.message}\nan update is on trial: a failed start, so that the boot guard rolls back to the release that took this config`, { cause: e });
}

export const runCommand: Command = {
  name: 'run',
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
    const clock = ctx.clock;
    // Fault tests choose where the power is cut (issue 12 §6); unset, every point is a no-op.
    const crashAt = crashAtPoint(ctx.env['KASSA_CRASH_AT'], ctx.kill, ctx.err);
    // A factory config claims the register's identity first (issue 12 §1). An applied profile
    // restarts the register with the config as it then resolves (issue 12 §2); an update that
    // switched program slots ends the process with 75, which the service manager answers by
    // starting `current` again (issue 14 §2, deploy/kassa.service). Ctrl+C stops any of them.
    const aborted = new AbortController();
    let stopping = false;
    let exitCode: number | undefined;
    let wake: (() => void) | undefined;
    ctx.onStop(() => {
      stopping = true;
      aborted.abort();
      wake?.();
    });
    // Under systemd (Type=notify): READY=1 once, WATCHDOG=1 while the FN answers, STOPPING=1 only
    // when the process really ends (an in-process restart is not a stop to systemd).
    let app: App | undefined;
    let watchdog: ServiceWatchdog | undefined;
    for (;;) {
      // Stopped while it claims its identity (the claim broker away, rounds retried): a stop, not a failure.
      const resolved = await loadRegisterConfig(values.config, { clock, log: logAt, firmware: BUILD_INFO.version, signal: aborted.signal, crashAt }).catch((e: unknown) => {
        if (aborted.signal.aborted) return undefined;
        throw e instanceof ConfigError ? refusedOnTrial(e, values.config) : e;
      });
      if (!resolved) return 0;
      const config = resolved.config;
      const log = logAt(config.log.level);
      let restartFor: string | undefined;
      const provisioning = { base: resolved.base, profileVersion: resolved.profileVersion, provisioned: resolved.provisioned, firmware: BUILD_INFO.version, restart: (why: string) => ((restartFor = why), wake?.()) };
      const restart = (): void => {
        log.info('restarting into the other program slot (exit 75)');
        exitCode = EXIT_RESTART;
        wake?.();
      };
      // A journal that refuses writes is not mended in this process (journal/segment-writer.ts),
      // and its work cannot be finished or stopped in order (every job waits on a record, the OFD
      // sender on a job). The process ends at once, as after a power cut, which every part of the
      // register survives; the next start reopens the journal (deploy/README.md "Exit codes").
      const failed = (why: string): void => {
        log.error(`${why}: ending now with exit 1, so that the service manager starts the register again`);
        ctx.exit(EXIT_FAILED);
      };
      const running = await startApp(config, { clock, log, random: Math.random, out: ctx.out, logTail: (n) => recent.tail(n), provisioning, restart, crashAt, failed });
      app = running;
      if (!watchdog) {
        watchdog = new ServiceWatchdog({
          manager: serviceManager({ env: ctx.env, pid: ctx.pid }),
          clock,
          log,
          health: async (): Promise<HealthVerdict> => {
            if (!app) return { healthy: false, reason: 'restarting' };
            const s = await app.status();
            return s.fn ? { healthy: true, status: `taking jobs; FN ${s.fn.number} answers, last FD ${s.fn.last_fd}` } : { healthy: false, reason: `FN does not answer: ${s.fn_error ?? 'no status'}` };
          },
        });
        await watchdog.start();
      }
      const consoleHint = running.console.port !== undefined ? `   Console: npm run kassa -- console` : '';
      // The hints name this register's config: without it they would reach the default one's broker.
      const withConfig = values.config === DEFAULT_CONFIG ? '' : ` --config ${values.config}`;
      ctx.out(`kassa-runtime is running (${config.deviceId}). Send a job: npm run kassa -- send-job${withConfig} device-config/samples/sell-atol.json${consoleHint ? `${consoleHint}${withConfig}` : ''}   Stop: Ctrl+C`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        // A restart may be asked for while the app was still starting (a staged update resumed at boot).
        if (stopping || exitCode !== undefined) resolve();
      });
      const ending = stopping || exitCode !== undefined || restartFor === undefined;
      log.info(ending ? 'stopping…' : `restarting: ${restartFor}`);
      if (ending) await watchdog.stop();
      await running.pipeline.idle();
      app = undefined;
      await running.stop();
      if (exitCode !== undefined) return exitCode;
      if (ending) return 0;
    }
  },
};
