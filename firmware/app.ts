/**
 * Composition root (DESIGN.md §2): builds the clock, logger, ports, drivers (real or
 * emulated, per config) and services, and wires them. The only place that chooses.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FN } from '../drivers/fn/fn-commands.ts';
import { FnDriver, DEFAULT_FN_DRIVER_OPTIONS } from '../drivers/fn/fn-driver.ts';
import { Listeners, type BytePort } from '../drivers/port.ts';
import { openSerialPort } from '../drivers/serial-port.ts';
import pkg from '../package.json' with { type: 'json' };
import { startConsole, type ConsoleHandle } from './console/console-wiring.ts';
import type { Clock } from './core/clock.ts';
import { atolDateTime, localTimeIn } from './core/local-time.ts';
import type { Log } from './core/log.ts';
import type { DeviceConfig } from './config/device-config.ts';
import { personTags } from './fiscal/common-tags.ts';
import type { Cashier } from './fiscal/receipt.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './jobs/embedded-broker.ts';
import { JobIntake } from './jobs/job-intake.ts';
import { FINAL_STATUSES, type JobResult } from './jobs/job-result.ts';
import { MqttLink } from './jobs/mqtt-link.ts';
import { ResultReporter } from './jobs/result-reporter.ts';
import { topicsFor } from './jobs/topics.ts';
import { Journal } from './journal/journal.ts';
import { FiscalPipeline } from './pipeline/fiscal-pipeline.ts';
import { registerFn } from './pipeline/fn-documents.ts';
import { compactLedger, JobLedger, type LedgerRecord } from './jobs/job-ledger.ts';
import { ShiftKeeper } from './pipeline/shift-keeper.ts';
import { localApiWing, type LocalApiWing } from './local-api/local-api-wing.ts';
import { registrationReport } from './pipeline/registration-report.ts';
import { makePrinter } from './print/printer-wiring.ts';
import { dailyAt, every, type Schedule } from './schedule/shift-close-task.ts';
import { ofdHealth } from './ofd/ofd-health.ts';
import { startEmulatedFn, type EmulatedFn } from './provisioning/emulated-fn.ts';
import { printFromArchive } from './provisioning/lifecycle-print.ts';
import type { ProvisioningContext } from './provisioning/profile-command.ts';
import { ProvisioningWing } from './provisioning/provisioning-wing.ts';
import { BUILD_INFO } from './core/build-info.ts';
import { UpdateWing } from './update/update-wing.ts';
import type { OfdSender } from './ofd/ofd-sender.ts';
import { wireOfd } from './ofd/ofd-wiring.ts';
import { DeviceState } from './state/device-state.ts';
import { collectStatus, type DeviceStatus } from './status/device-status.ts';

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
}

/** How long the debug console waits for a job it submitted before it says "not finished yet". */
const CONSOLE_JOB_WAIT_MS = 30_000;

export interface App {
  readonly pipeline: FiscalPipeline;
  readonly ledger: JobLedger;
  readonly fn: FnDriver;
  readonly brokerUrl: string;
  readonly ofd: OfdSender;
  /** The technician's debug console (firmware/console/). */
  readonly console: ConsoleHandle;
  /** The local job API for retail programs (firmware/local-api/), off unless configured. */
  readonly localApi: LocalApiWing;
  status(): Promise<DeviceStatus>;
  /** Publishes the retained status now (the console's "status" command; tests). */
  publishStatus(): Promise<void>;
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startApp(config: DeviceConfig, deps: AppDeps): Promise<App> {
  const { clock, log } = deps;
  const stops: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    mkdirSync(config.dataDir, { recursive: true });
    const localTime = localTimeIn(config.timeZone);
    const now = (): number => localTime.toLocalSeconds(clock.now());

    // ---- the FN: emulated in this process, or a real one on a serial line
    let fnPort: BytePort;
    let emulatedFn: EmulatedFn | undefined;
    if (config.fn.kind === 'emulator') {
      emulatedFn = startEmulatedFn({ dataDir: config.dataDir, ...config.fn }, { clock, log, random: deps.random });
      stops.push(() => emulatedFn?.stop());
      fnPort = emulatedFn.port;
    } else {
      fnPort = await openSerialPort({ path: config.fn.path, baudRate: config.fn.baudRate });
    }
    stops.push(() => fnPort.close());
    const fnOptions = config.fn.kind === 'serial' ? { timeoutMs: config.fn.timeoutMs, longTimeoutMs: config.fn.longTimeoutMs, enqRetries: config.fn.enqRetries } : DEFAULT_FN_DRIVER_OPTIONS;
    const fn = new FnDriver({ port: fnPort, clock, log }, fnOptions);
    fn.start();
    stops.push(() => fn.stop());

    // ---- durable memory
    const journal = new Journal<LedgerRecord>({ log }, { dir: join(config.dataDir, 'journal'), segmentBytes: config.journal.segmentBytes });
    const ledger = new JobLedger(journal);
    const { droppedBytes } = await journal.open((r) => ledger.replay(r));
    stops.push(() => journal.close());
    if (droppedBytes > 0) log.warn(`journal: dropped a torn tail of ${droppedBytes} bytes`);
    const state = await DeviceState.open(join(config.dataDir, 'device-state.json'));
    const cashier = (): Cashier => state.data.settings.cashier ?? config.cashier;

    // ---- the FN registered (demo only: a real register is registered by its technician)
    const status = (await fn.execute(FN.getStatus, {})).value;
    if (status.phase === 0x01) {
      if (!config.registration.autoRegister) log.warn('the FN is not registered: jobs will fail with fix_device until it is');
      else {
        const r = await registerFn(fn, registrationReport(config.registration, now(), personTags(cashier())));
        await state.update((d) => void (d.registration = { fd: r.fd, fpd: r.fpd, at: now(), fnNumber: status.fnNumber, ffd: config.registration.ffd }));
        log.info(`registered the FN ${status.fnNumber} (FFD ${config.registration.ffd}): FD ${r.fd}, FPD ${r.fpd}`);
      }
    }

    // ---- MQTT
    let broker: EmbeddedBroker | undefined;
    if (config.mqtt.broker.kind === 'embedded') {
      broker = await startEmbeddedBroker(config.mqtt.broker.host, config.mqtt.broker.port);
      stops.push(() => broker?.close());
      log.info(`embedded MQTT broker on ${broker.url}`);
    }
    const b = config.mqtt.broker;
    const url = broker?.url ?? (b.kind === 'external' ? b.url : '');
    const topics = topicsFor(config.mqtt.topicPrefix);
    // Issue 12: signed cloud commands, profiles, the FN's life; the pipeline and shift close are built below.
    // Firmware updates (issue 14) come as signed `update` commands through the same gate.
    const update = new UpdateWing({
      config: config.update,
      dataDir: config.dataDir,
      topicPrefix: config.mqtt.topicPrefix,
      running: BUILD_INFO,
      clock,
      log,
      publish: (t, p) => link.publish(t, p),
      idle: () => pipeline.pending === 0 && pipeline.prints.length === 0,
      shiftOpen: async () => (await shifts.current()).open,
      restart: () => deps.restart?.(),
      report: (r) => link.publish(topics.results, JSON.stringify({ version: 1, kind: 'command', command: 'update', ...r })),
    });
    const wing = new ProvisioningWing({
      config,
      state,
      clock,
      log,
      publishResult: (p) => link.publish(topics.results, p),
      lifecycle: {
        fn,
        state,
        now,
        exclusive: (w) => pipeline.exclusive(w),
        closeShiftIfOpen: () => closeShiftIfOpen(),
        cashier: () => personTags(cashier()),
        registration: () => config.registration,
        print: (fd) => printFromArchive(fn, pipeline.prints, fd, config.registration, log),
        ...(emulatedFn ? { swapFn: (n: string) => emulatedFn?.swap(n) } : {}),
      },
      ...(deps.provisioning ? { context: deps.provisioning } : {}),
      handlers: { update: async (c) => ({ ...(await update.order(c.id, c.body)) }) },
    });
    const link = new MqttLink(
      { log, clock, random: deps.random },
      {
        url,
        clientId: config.mqtt.clientId,
        // aedes speaks MQTT 3.1.1 only
        protocolVersion: broker ? 4 : config.mqtt.protocolVersion,
        keepaliveSeconds: config.mqtt.keepaliveSeconds,
        sessionExpirySeconds: config.mqtt.sessionExpirySeconds,
        reconnectMinMs: config.mqtt.reconnectMinMs,
        reconnectMaxMs: config.mqtt.reconnectMaxMs,
        subscriptions: [topics.jobs, topics.provisioning, ...wing.topics, ...update.topics],
        will: { topic: topics.status, payload: JSON.stringify({ version: 1, state: 'offline', device_id: config.deviceId }) },
        ...(b.kind === 'external'
          ? { ...(b.username !== undefined ? { username: b.username } : {}), ...(b.password !== undefined ? { password: b.password } : {}), ...(b.caFile ? { caFile: b.caFile } : {}), ...(b.certFile ? { certFile: b.certFile } : {}), ...(b.keyFile ? { keyFile: b.keyFile } : {}), rejectUnauthorized: b.rejectUnauthorized }
          : {}),
      },
    );
    const reporter = new ResultReporter({ publish: (t, p) => link.publish(t, p), connected: () => link.connected, ledger, clock, log }, topics.results);
    reporter.start();
    stops.push(() => reporter.stop());
    // Every result goes to the cloud; the debug console also listens for the jobs it submitted.
    const results = new Listeners<[JobResult]>();
    const publishResult = (r: JobResult): void => {
      results.emit(r);
      reporter.report(r);
    };

    // ---- the fiscal pipeline
    const printer = await makePrinter(config, { clock, log, out: deps.out }, stops);
    const shifts = new ShiftKeeper(
      {
        fn,
        log,
        recall: () => state.data.shift,
        remember: (s) => state.update((d) => void (s ? (d.shift = s) : delete d.shift)),
        // The pipeline is built next; reports come only once it runs.
        reportFormed: (report) => pipeline.printShiftReport(report),
      },
      { ffd: config.registration.ffd, maxOpenMinutes: config.shift.maxOpenMinutes },
    );
    const pipeline = new FiscalPipeline(
      { fn, ledger, shifts, printer, clock, localTime, log, publish: publishResult, documentFormed: () => sender.wake() },
      { deviceId: config.deviceId, registration: config.registration, cashier, retryDelayMs: 1000, printRetryMs: 2000 },
    );
    stops.push(() => pipeline.stop());
    const intake = new JobIntake(
      { ledger, clock, localTime, log, publish: publishResult, submit: (id) => pipeline.submit(id) },
      {
        deviceId: config.deviceId,
        ffd: config.registration.ffd,
        inn: config.registration.inn,
        address: config.registration.address,
        ...(config.registration.place !== undefined ? { place: config.registration.place } : {}),
        taxSystems: config.registration.taxSystems,
        seller: {
          ...(config.registration.userName !== undefined ? { name: config.registration.userName } : {}),
          ...(config.registration.senderEmail !== undefined ? { email: config.registration.senderEmail } : {}),
          fnsSite: config.registration.fnsSite,
        },
        defaultCashier: config.cashier,
        maxPayloadBytes: config.limits.maxPayloadBytes,
        now,
      },
    );

    // ---- the OFD: an emulator on loopback (demo) or the real one; the sender always runs
    const ofd = await wireOfd(config, { fn, clock, log, random: deps.random, exclusive: (work) => pipeline.exclusive(work) });
    const sender = ofd.sender;
    stops.push(() => ofd.stop());

    // ---- status, schedules
    const status$ = (): Promise<DeviceStatus> =>
      collectStatus({
        deviceId: config.deviceId,
        fn,
        shifts,
        ledger,
        queued: () => pipeline.pending,
        now,
        ofd: () => ofdHealth(fn, now()),
        provisioning: () => wing.status(now()),
        links: () => ({ mqtt: link.describe(), fn: fn.counters, ofd: sender.describe(), printing: { queued: pipeline.prints.length, blocked: pipeline.prints.blocked } }),
        firmware: () => ({ version: BUILD_INFO.version, commit: BUILD_INFO.commit, ...update.progress() }),
      });
    // At most one status a second: a burst of jobs (or of duplicates) must not become a burst of FN reads.
    let lastStatusAt = 0;
    const publishStatus = async (force = false): Promise<void> => {
      if (!link.connected || (!force && clock.now() - lastStatusAt < 1000)) return;
      lastStatusAt = clock.now();
      await link.publish(topics.status, JSON.stringify(await status$()), { retain: true });
    };
    const schedules: Schedule[] = [];
    const closeAt = state.data.settings.closeAt !== undefined ? state.data.settings.closeAt : config.shift.closeAt;
    if (closeAt) schedules.push(dailyAt(closeAt, config.timeZone, () => pipeline.exclusive(() => closeShiftIfOpen()), log));
    schedules.push(
      every(1, async () => {
        if (await shifts.isDue(now())) await pipeline.exclusive(() => closeShiftIfOpen());
        await publishStatus(true);
      }, log),
    );
    stops.push(() => schedules.forEach((s) => s.stop()));
    const closeShiftIfOpen = async (): Promise<void> => {
      if ((await shifts.current()).open) await shifts.closeOnOwn(now(), personTags(cashier()));
    };

    link.onConnected(() => {
      // Config parsed, FN answered, journal open, broker connected: a new version on trial is healthy.
      void update.confirmHealthy().catch((e: unknown) => log.error(`update confirmation failed: ${e instanceof Error ? e.message : String(e)}`));
      reporter.republishUnreported();
      void publishStatus(true).catch(() => undefined);
    });
    link.start(async (topic, payload) => {
      if (topic === topics.jobs) {
        const job = await wing.openJob(payload);
        if (job) await intake.handle(job);
      } else if (wing.handles(topic)) await wing.handle(topic, payload);
      else if (update.handles(topic)) update.handle(topic, payload);
      void publishStatus().catch(() => undefined);
    });
    wing.start();
    stops.push(() => wing.stop());
    await update.start();
    stops.push(() => update.stop());
    // The link first: results the pipeline sends while it connects wait in the client's queue.
    pipeline.start();
    sender.start();
    // Escalation of the OFD backlog (issue 5 §4): logged with every minute's check.
    let lastLevel = 'ok';
    schedules.push(
      every(1, async () => {
        const h = await ofdHealth(fn, now());
        if (h.level !== lastLevel || h.level === 'critical' || h.level === 'blocked') {
          const text = `OFD backlog: ${h.unsent} unsent, oldest FD ${h.oldest_fd ?? '-'} from ${h.oldest_at ?? '-'} (${h.days_left ?? 30} days before the FN blocks)`;
          if (h.level === 'ok' || h.level === 'notice') log.info(text);
          else if (h.level === 'warning') log.warn(text);
          else log.error(text);
          lastLevel = h.level;
        }
      }, log),
    );
    stops.push(async () => {
      await link.publish(topics.status, JSON.stringify({ version: 1, state: 'offline', device_id: config.deviceId }), { retain: true }).catch(() => undefined);
      await link.stop();
    });

    // Compaction keeps the journal's replay short as history grows (issue 3 §3).
    const compactEvery = every(10, async () => {
      if (journal.stats.segments <= config.journal.compactAfterSegments) return;
      const r = await journal.compact((all) => compactLedger(all, clock.now(), config.journal.keepDays * 86400_000));
      log.info(`journal compacted: ${r.before} → ${r.after} records`);
    }, log);
    stops.push(() => compactEvery.stop());

    // ---- the local job API (issue 13): the same intake, journal, pipeline and FN as the cloud's jobs
    const localApi = localApiWing(config, { intake, ledger, pipeline, results, status: status$, publish: publishResult, clock, localTime, log });
    await localApi.start();
    stops.push(() => localApi.stop());

    // ---- the technician's debug console
    const describe = (): Record<string, unknown> => ({ deviceId: config.deviceId, fn: fn.describe(), mqtt: link.describe(), intake: intake.stats, results: reporter.stats, journal: journal.describe(), printer: printer.describe(), ofd: sender.describe(), localApi: localApi.describe(), provisioning: wing.describe(), update: update.describe() });
    const debugConsole = await startConsole(
      config.console,
      {
        log,
        ...(wing.pin ? { pin: wing.pin } : {}),
        services: {
          fn,
          exclusive: (work) => pipeline.exclusive(work),
          ledger,
          status: status$,
          describe,
          runJob: (job) => runConsoleJob(job, intake, results, clock),
          printerStatus: () => printer.status(),
          logTail: (n) => deps.logTail?.(n) ?? ['(this log is not kept in memory)'],
          config: () => maskSecrets(config),
          localTime: (ms) => atolDateTime(localTime.toLocalSeconds(ms)),
          jobId: (type) => `console-${type}-${clock.now().toString(36)}-${Math.floor(deps.random() * 2 ** 32).toString(36)}`,
          ...(emulatedFn ? { replaceFn: (n: string) => wing.replaceFn(n) } : {}),
        },
      },
      `kassa-runtime ${pkg.version}, register ${config.deviceId}: debug console`,
    );
    stops.push(() => debugConsole.stop());
    if (debugConsole.where !== 'none') log.info(`debug console on ${debugConsole.where}`);

    log.info(`kassa-runtime ${config.deviceId} running: FN ${status.fnNumber}, broker ${url}, topics ${config.mqtt.topicPrefix}/{jobs,results,status,provisioning}`);
    return {
      pipeline,
      ledger,
      fn,
      brokerUrl: url,
      status: status$,
      publishStatus: () => publishStatus(true),
      describe,
      ofd: sender,
      console: debugConsole,
      localApi,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

/** A job from the console, through the same intake as the cloud's: resolves with its final result, or undefined after the wait. */
function runConsoleJob(job: Record<string, unknown>, intake: JobIntake, results: Listeners<[JobResult]>, clock: Clock): Promise<JobResult | undefined> {
  return new Promise((resolve) => {
    const timer = clock.after(CONSOLE_JOB_WAIT_MS, () => {
      off();
      resolve(undefined);
    });
    const off = results.add((r) => {
      if (r.id !== job['id'] || !FINAL_STATUSES.has(r.status)) return;
      off();
      timer.cancel();
      resolve(r);
    });
    void intake.handle(Buffer.from(JSON.stringify(job)));
  });
}

/** The configuration for the console's eyes: the FN emulator's secret and broker password masked. */
function maskSecrets(config: DeviceConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, any>;
  if (copy['fn']?.['secret'] !== undefined) copy['fn']['secret'] = '***';
  if (copy['mqtt']?.['broker']?.['password'] !== undefined) copy['mqtt']['broker']['password'] = '***';
  if (copy['security']?.['technicianPin'] !== undefined) copy['security']['technicianPin'] = '***';
  if (copy['claim']?.['password'] !== undefined) copy['claim']['password'] = '***';
  return copy;
}
