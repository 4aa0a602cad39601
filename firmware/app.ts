/**
 * Composition root (DESIGN.md §2): the register's wings, each wired in its own file and
 * shaped as a Service (core/service.ts), started in order — durable memory, the FN, the
 * printer, the cloud link, the pipeline, the OFD sender, status, schedules, the console —
 * and stopped in reverse. Events between wings (results, "a document was formed", link
 * activity) are subscriptions, so nothing here refers to a wing built later.
 */
import type { FnFace } from '../drivers/fn/fn-face.ts';
import { BUILD_INFO } from './core/build-info.ts';
import type { Clock } from './core/clock.ts';
import type { CrashAt } from './core/crash-point.ts';
import { atolDateTime, localTimeIn } from './core/local-time.ts';
import type { Log } from './core/log.ts';
import type { KassaError } from './core/kassa-error.ts';
import { ServiceList } from './core/service.ts';
import type { DeviceConfig } from './config/device-config.ts';
import { ConsoleWing, type ConsoleHandle } from './console/console-wiring.ts';
import type { Cashier } from './fiscal/receipt.ts';
import type { JobLedger } from './jobs/job-ledger.ts';
import { JobsWing } from './jobs/jobs-wiring.ts';
import type { JobResult } from './jobs/job-result.ts';
import { LedgerWing } from './jobs/ledger-wiring.ts';
import { LocalApiWing } from './local-api/local-api-wing.ts';
import { OfdWing } from './ofd/ofd-wiring.ts';
import type { OfdSender } from './ofd/ofd-sender.ts';
import type { FiscalPipeline } from './pipeline/fiscal-pipeline.ts';
import { FnWing } from './pipeline/fn-wiring.ts';
import { PipelineWing } from './pipeline/pipeline-wiring.ts';
import { PrinterWing } from './print/printer-wiring.ts';
import type { ProvisioningContext } from './provisioning/profile-command.ts';
import { commandWings } from './provisioning/command-wiring.ts';
import { ScheduleWing } from './schedule/schedule-wiring.ts';
import type { DeviceStatus } from './status/device-status.ts';
import { StatusWing } from './status/status-wiring.ts';

export interface AppDeps {
  readonly clock: Clock;
  readonly log: Log;
  readonly random: () => number;
  /** Where the console printer writes. */
  readonly out: (text: string) => void;
  /** The last log lines, for the debug console's `log` command. */
  readonly logTail?: (n: number) => readonly string[];
  /** Where the config came from and how to restart with a new one (issue 12; `kassa run` passes it). */
  readonly provisioning?: ProvisioningContext;
  /** Ends the process so the service manager starts `current` again (after an update switched slots). */
  readonly restart?: () => void;
  /** Fault tests' power cuts at named points (core/crash-point.ts); none by default. */
  readonly crashAt?: CrashAt;
  /** The register cannot go on (a journal refuses writes): `kassa run` ends with exit 1, so it is started again. */
  readonly failed?: (why: string) => void;
}

export interface App {
  readonly pipeline: FiscalPipeline;
  readonly ledger: JobLedger;
  readonly fn: FnFace;
  readonly brokerUrl: string;
  readonly ofd: OfdSender;
  /** The technician's debug console (firmware/console/). */
  readonly console: ConsoleHandle;
  /** The local job API for retail programs (firmware/local-api/), off unless configured. */
  readonly localApi: LocalApiWing;
  status(): Promise<DeviceStatus>;
  /** Publishes the retained status now (the console's "status" command; tests). */
  publishStatus(): Promise<void>;
  /** Every service's describe(), by name. */
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startApp(config: DeviceConfig, deps: AppDeps): Promise<App> {
  const { clock, log, random } = deps;
  const services = new ServiceList(log);
  try {
    const localTime = localTimeIn(config.timeZone);
    const now = (): number => localTime.toLocalSeconds(clock.now());
    const journalFailed = (what: string) => (e: KassaError): void => deps.failed?.(`the ${what} refuses writes (${e.message})`);
    const memory = await services.start(new LedgerWing(config, { log, onFailure: journalFailed('job journal') }));
    const { ledger, journal, state } = memory;
    const cashier = (): Cashier => state.data.settings.cashier ?? config.cashier;
    const fnWing = await services.start(new FnWing(config, { clock, log, random, state: () => state, cashier, now }));
    const fn = fnWing.fn;
    const { printer } = await services.start(new PrinterWing(config, { clock, log, out: deps.out }));
    const pipeline = new PipelineWing(config, { fn, ledger, printer, state, clock, localTime, log, cashier });
    const jobsWing = new JobsWing(config, { ledger, clock, localTime, log, random, results: pipeline.results, submit: (id) => pipeline.pipeline.submit(id) });
    // Signed cloud commands, profiles, the FN's life (issue 12) and firmware updates (issue 14).
    const emulated = fnWing.emulated;
    const { provisioning, update } = commandWings(config, { fn, emulated, pipeline, jobs: jobsWing, state, clock, log, now, cashier, ...(deps.provisioning ? { context: deps.provisioning } : {}), ...(deps.restart ? { restart: deps.restart } : {}), ...(deps.crashAt ? { crashAt: deps.crashAt } : {}) });
    // The link first: results the pipeline sends while it connects wait in the client's queue.
    const jobs = await services.start(jobsWing);
    await services.start(provisioning);
    await services.start(update);
    await services.start(pipeline);
    const exclusive = <T>(work: () => Promise<T>): Promise<T> => pipeline.exclusive(work);
    const { sender } = await services.start(new OfdWing(config, { fn, clock, log, random, exclusive, onFailure: journalFailed('OFD delivery log') }));
    fn.formed.add(() => sender.wake());
    const firmware = () => ({ version: BUILD_INFO.version, commit: BUILD_INFO.commit, ...update.progress() });
    const statusDeps = { fn, shifts: pipeline.shifts, ledger, jobs, clock, now, queued: () => pipeline.pipeline.pending, links: () => services.describe(), provisioning: () => provisioning.status(now()), firmware };
    const status = await services.start(new StatusWing(config, statusDeps));
    // The local job API for retail programs (issue 13): the same intake, journal, pipeline and FN as the cloud's jobs.
    const localApiDeps = { intake: jobs.intake, ledger, pipeline: pipeline.pipeline, results: pipeline.results, status: () => status.status(), publish: (r: JobResult) => pipeline.results.emit(r), clock, localTime, log };
    const localApi = await services.start(new LocalApiWing(config, localApiDeps));
    await services.start(new ScheduleWing(config, { fn, pipeline, publishStatus: () => status.publish(true), journal, ledger, saveIndex: () => memory.saveIndex(), state, clock, localTime, log, now }));
    const consoleServices = {
      fn,
      exclusive,
      ledger,
      status: () => status.status(),
      describe: () => ({ deviceId: config.deviceId, ...services.describe() }),
      printerStatus: () => printer.status(),
      logTail: (n: number) => deps.logTail?.(n) ?? ['(this log is not kept in memory)'],
      localTime: (ms: number) => atolDateTime(localTime.toLocalSeconds(ms)),
      ...(emulated ? { replaceFn: (n: string) => provisioning.replaceFn(n) } : {}),
    };
    const greeting = `kassa-runtime ${BUILD_INFO.version}, register ${config.deviceId}: debug console`;
    const pin = provisioning.pin ? { pin: provisioning.pin } : {};
    const debugConsole = await services.start(new ConsoleWing(config, { log, clock, random, services: consoleServices, intake: jobs.intake, results: pipeline.results, ...pin }, greeting));

    log.info(`kassa-runtime ${config.deviceId} running: FN ${fnWing.fnNumber}, broker ${jobs.brokerUrl}, topics ${config.mqtt.topicPrefix}/{jobs,results,status,provisioning}`);
    return {
      pipeline: pipeline.pipeline,
      ledger,
      fn,
      brokerUrl: jobs.brokerUrl,
      ofd: sender,
      console: debugConsole.where,
      localApi,
      status: () => status.status(),
      publishStatus: () => status.publish(true),
      describe: () => ({ deviceId: config.deviceId, ...services.describe() }),
      stop: () => services.stop(),
    };
  } catch (e) {
    await services.stop();
    throw e;
  }
}
