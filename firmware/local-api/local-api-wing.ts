/**
 * The local API as one wing of the composition root (issue 13; DESIGN.md §3 rule 11): the
 * request store over the shared intake, ledger and pipeline, and the HTTP server in front.
 * The constructor only builds; start() listens (when `localApi.enabled`); stop() closes.
 */
import type { Clock } from '../core/clock.ts';
import type { LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import { validationContext } from '../jobs/job-context.ts';
import type { JobIntake } from '../jobs/job-intake.ts';
import type { JobLedger } from '../jobs/job-ledger.ts';
import type { JobResult } from '../jobs/job-result.ts';
import type { FiscalPipeline } from '../pipeline/fiscal-pipeline.ts';
import type { DeviceStatus } from '../status/device-status.ts';
import { queryAnswer } from './device-queries.ts';
import { LocalApiServer } from './local-api-server.ts';
import { LocalRequests } from './local-requests.ts';

export interface LocalApiWingDeps {
  readonly intake: JobIntake;
  readonly ledger: JobLedger;
  readonly pipeline: FiscalPipeline;
  /** Every result the register publishes (a failed task interrupts the rest of its request). */
  readonly results: { add(listener: (r: JobResult) => void): () => void };
  readonly status: () => Promise<DeviceStatus>;
  readonly publish: (r: JobResult) => void;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
}

export class LocalApiWing {
  readonly name = 'localApi';
  readonly requests: LocalRequests;
  private readonly server: LocalApiServer;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: LocalApiWingDeps,
  ) {
    const { pipeline } = deps;
    const reg = config.registration;
    this.requests = new LocalRequests(
      {
        ledger: deps.ledger,
        intake: deps.intake,
        pipeline,
        query: async (task) => queryAnswer(task, await deps.status(), { ffd: reg.ffd, printerBlocked: pipeline.prints.blocked, queueBlocked: pipeline.retrying || pipeline.prints.blocked }),
        publish: deps.publish,
        clock: deps.clock,
        localTime: deps.localTime,
        log: deps.log,
      },
      validationContext(config, () => deps.localTime.toLocalSeconds(deps.clock.now())),
    );
    this.server = new LocalApiServer({ requests: this.requests, log: deps.log, deviceId: config.deviceId }, config.localApi);
  }

  async start(): Promise<void> {
    if (!this.config.localApi.enabled) return;
    this.unsubscribe = this.deps.results.add((r) => this.requests.onResult(r));
    await this.server.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.server.stop();
  }

  /** host:port, or "off". */
  get where(): string {
    return this.server.where;
  }

  describe(): Record<string, unknown> {
    return this.server.describe();
  }
}

export function localApiWing(config: DeviceConfig, deps: LocalApiWingDeps): LocalApiWing {
  return new LocalApiWing(config, deps);
}
