/**
 * Composition root (DESIGN.md §2): builds the clock, logger, ports, drivers (real or
 * emulated, per config) and services, and wires them. The only place that chooses.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FnDevice } from '../drivers/fn/emulator/fn-device.ts';
import { FnEmulator } from '../drivers/fn/emulator/fn-emulator.ts';
import { fileStateStore, type FnStateStore } from '../drivers/fn/emulator/fn-state-store.ts';
import { FnDriver, DEFAULT_FN_DRIVER_OPTIONS } from '../drivers/fn/fn-driver.ts';
import { FnFace } from '../drivers/fn/fn-face.ts';
import { PHASE } from '../drivers/fn/fn-status-flags.ts';
import { memoryPortPair } from '../drivers/memory-port.ts';
import { TEST_OPERATOR_KEY } from '../drivers/ofd/operator-sign.ts';
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
import { compactLedger, JobLedger, type LedgerRecord } from './jobs/job-ledger.ts';
import { ShiftKeeper } from './pipeline/shift-keeper.ts';
import { registrationReport } from './pipeline/registration-report.ts';
import { makePrinter } from './print/printer-wiring.ts';
import { dailyAt, every, type Schedule } from './schedule/shift-close-task.ts';
import { ofdHealth } from './ofd/ofd-health.ts';
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
}

/** How long the debug console waits for a job it submitted before it says "not finished yet". */
const CONSOLE_JOB_WAIT_MS = 30_000;

export interface App {
  readonly pipeline: FiscalPipeline;
  readonly ledger: JobLedger;
  readonly fn: FnFace;
  readonly brokerUrl: string;
  readonly ofd: OfdSender;
  /** The technician's debug console (firmware/console/). */
  readonly console: ConsoleHandle;
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
    if (config.fn.kind === 'emulator') {
      const [registerSide, deviceSide] = memoryPortPair('fn');
      const store: FnStateStore = fileStateStore(join(config.dataDir, 'fn-emulator.bin'));
      const device = new FnDevice({ store, clock, log }, { fnNumber: config.fn.fnNumber, secret: config.fn.secret, operatorKey: TEST_OPERATOR_KEY, checkTimer: config.fn.checkTimer });
      device.boot();
      const emulator = new FnEmulator({ port: deviceSide, device, clock, log, random: deps.random });
      emulator.start();
      stops.push(() => {
        emulator.stop();
        store.close();
      });
      fnPort = registerSide;
    } else {
      fnPort = await openSerialPort({ path: config.fn.path, baudRate: config.fn.baudRate });
    }
    stops.push(() => fnPort.close());
    const fnOptions = config.fn.kind === 'serial' ? { timeoutMs: config.fn.timeoutMs, longTimeoutMs: config.fn.longTimeoutMs, enqRetries: config.fn.enqRetries } : DEFAULT_FN_DRIVER_OPTIONS;
    const fnDriver = new FnDriver({ port: fnPort, clock, log }, fnOptions);
    fnDriver.start();
    stops.push(() => fnDriver.stop());
    const fn = new FnFace(fnDriver);

    // ---- durable memory
    const journal = new Journal<LedgerRecord>({ log }, { dir: join(config.dataDir, 'journal'), segmentBytes: config.journal.segmentBytes });
    const ledger = new JobLedger(journal);
    const { droppedBytes } = await journal.open((r) => ledger.replay(r));
    stops.push(() => journal.close());
    if (droppedBytes > 0) log.warn(`journal: dropped a torn tail of ${droppedBytes} bytes`);
    const state = await DeviceState.open(join(config.dataDir, 'device-state.json'));
    const cashier = (): Cashier => state.data.settings.cashier ?? config.cashier;

    // ---- the FN registered (demo only: a real register is registered by its technician)
    const status = await fn.status();
    if (status.phase === PHASE.readyForRegistration) {
      if (!config.registration.autoRegister) log.warn('the FN is not registered: jobs will fail with fix_device until it is');
      else {
        const r = await fn.register(registrationReport(config.registration, now(), personTags(cashier())));
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
        subscriptions: [topics.jobs, topics.provisioning],
        will: { topic: topics.status, payload: JSON.stringify({ version: 1, state: 'offline', device_id: config.deviceId }) },
        ...(b.kind === 'external'
          ? { ...(b.username !== undefined ? { username: b.username } : {}), ...(b.password !== undefined ? { password: b.password } : {}), ...(b.caFile ? { caFile: b.caFile } : {}), rejectUnauthorized: b.rejectUnauthorized }
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
        links: () => ({ mqtt: link.describe(), fn: fnDriver.counters, ofd: sender.describe(), printing: { queued: pipeline.prints.length, blocked: pipeline.prints.blocked } }),
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
      reporter.republishUnreported();
      void publishStatus(true).catch(() => undefined);
    });
    link.start(async (topic, payload) => {
      if (topic === topics.jobs) await intake.handle(payload);
      else if (topic === topics.provisioning) await provision(payload, state, log);
      void publishStatus().catch(() => undefined);
    });
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

    // ---- the technician's debug console
    const describe = (): Record<string, unknown> => ({ deviceId: config.deviceId, fn: fn.describe(), mqtt: link.describe(), intake: intake.stats, results: reporter.stats, journal: journal.describe(), printer: printer.describe(), ofd: sender.describe() });
    const debugConsole = await startConsole(
      config.console,
      {
        log,
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
  return copy;
}

/** Provisioning from the cloud: `{"cashier": {"name", "inn"?}, "closeAt": "HH:MM" | null}`; bad input is logged and ignored. */
async function provision(payload: Uint8Array, state: DeviceState, log: Log): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    log.warn('provisioning message is not JSON: ignored');
    return;
  }
  const m = message as { cashier?: unknown; closeAt?: unknown };
  const cashierOk = m.cashier === undefined || (typeof m.cashier === 'object' && m.cashier !== null && typeof (m.cashier as { name?: unknown }).name === 'string');
  const closeOk = m.closeAt === undefined || m.closeAt === null || (typeof m.closeAt === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(m.closeAt));
  if (!cashierOk || !closeOk) {
    log.warn(`provisioning message ignored: ${JSON.stringify(message).slice(0, 200)}`);
    return;
  }
  await state.update((d) => {
    if (m.cashier !== undefined) d.settings.cashier = m.cashier as Cashier;
    if (m.closeAt !== undefined) d.settings.closeAt = m.closeAt as string | null;
  });
  log.info(`provisioned: ${JSON.stringify(message)} (the shift close time applies from the next start)`);
}
