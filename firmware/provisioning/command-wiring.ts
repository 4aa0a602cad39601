/**
 * The cloud's commands on the composition root (issues 12 and 14): the provisioning wing —
 * signed commands, profiles, the FN's life — and the update wing behind the same gate, both
 * routed through the jobs wing's link, which also lets every job pass the signed-jobs door.
 * Call before the jobs wing starts: their topics are subscribed when the link connects.
 */
import type { EmulatedFn } from '../../drivers/fn/emulator/emulated-fn.ts';
import type { FnFace } from '../../drivers/fn/fn-face.ts';
import { BUILD_INFO } from '../core/build-info.ts';
import type { Clock } from '../core/clock.ts';
import type { CrashAt } from '../core/crash-point.ts';
import type { Log } from '../core/log.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { personTags } from '../fiscal/common-tags.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { JobsWing } from '../jobs/jobs-wiring.ts';
import type { PipelineWing } from '../pipeline/pipeline-wiring.ts';
import type { DeviceState } from '../state/device-state.ts';
import { UpdateWing } from '../update/update-wing.ts';
import { printFromArchive } from './lifecycle-print.ts';
import type { ProvisioningContext } from './profile-command.ts';
import { ProvisioningWing } from './provisioning-wing.ts';

export interface CommandWiringDeps {
  readonly fn: FnFace;
  /** The in-process FN emulator, which a command may replace; undefined with a real FN. */
  readonly emulated: EmulatedFn | undefined;
  readonly pipeline: PipelineWing;
  readonly jobs: JobsWing;
  readonly state: DeviceState;
  readonly clock: Clock;
  readonly log: Log;
  /** Register-local seconds now. */
  readonly now: () => number;
  readonly cashier: () => Cashier;
  /** Where the config came from (kassa run); without it there is no `profile` command. */
  readonly context?: ProvisioningContext;
  /** Ends the process so the service manager starts the other slot (exit 75). */
  readonly restart?: () => void;
  /** Fault tests' power cuts (core/crash-point.ts). */
  readonly crashAt?: CrashAt;
}

export function commandWings(config: DeviceConfig, d: CommandWiringDeps): { readonly provisioning: ProvisioningWing; readonly update: UpdateWing } {
  const { fn, pipeline, jobs, clock, log, now } = d;
  const results = (payload: string): Promise<void> => jobs.publish(jobs.topics.results, payload);
  const update = new UpdateWing({
    config: config.update,
    dataDir: config.dataDir,
    topicPrefix: config.mqtt.topicPrefix,
    running: BUILD_INFO,
    clock,
    log,
    publish: (t, p) => jobs.publish(t, p),
    idle: () => pipeline.pipeline.pending === 0 && pipeline.pipeline.prints.length === 0,
    shiftOpen: async () => (await pipeline.shifts.current()).open,
    restart: () => d.restart?.(),
    report: (r) => results(JSON.stringify({ version: 1, kind: 'command', command: 'update', ...r })),
  });
  const emulated = d.emulated;
  const provisioning = new ProvisioningWing({
    config,
    state: d.state,
    clock,
    log,
    publishResult: results,
    lifecycle: {
      fn,
      clock,
      state: d.state,
      now,
      exclusive: (w) => pipeline.exclusive(w),
      // Lifecycle commands already hold the pipeline's turn: the shift is closed in it, not queued behind it.
      closeShiftIfOpen: async () => {
        if ((await pipeline.shifts.current()).open) await pipeline.shifts.closeOnOwn(now(), personTags(d.cashier()));
      },
      cashier: () => personTags(d.cashier()),
      registration: () => config.registration,
      print: (fd) => printFromArchive(fn, pipeline.pipeline.prints, fd, config.registration, log),
      ...(emulated ? { swapFn: (n: string) => emulated.swap(n) } : {}),
    },
    ...(d.context ? { context: d.context } : {}),
    ...(d.crashAt ? { crashAt: d.crashAt } : {}),
    // Firmware updates (issue 14) come as signed `update` commands through the same gate.
    handlers: { update: async (c) => ({ ...(await update.order(c.id, c.body)) }) },
  });
  jobs.route(provisioning);
  jobs.route(update);
  jobs.guardJobs((payload) => provisioning.openJob(payload));
  // Config parsed, FN answered, journal open, broker connected: a new version on trial is healthy.
  jobs.activity.add(({ connected }) => {
    if (connected) void update.confirmHealthy().catch((e: unknown) => log.error(`update confirmation failed: ${e instanceof Error ? e.message : String(e)}`));
  });
  return { provisioning, update };
}
