/**
 * The update wing (issue 14 §2): what app.ts needs to offer firmware updates — the `update`
 * command handler for the signed-command gate, the chunk topic, and the call that confirms a new
 * version once the register is healthy. Lifecycle as every service: the constructor stores deps,
 * start() and stop() are idempotent, describe() says what it is doing.
 */
import type { UpdateConfig } from '../config/device-config.ts';
import type { Clock } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import { ChunkFetcher } from './chunk-fetcher.ts';
import { ProgramSlots } from './program-slots.ts';
import type { ReleaseStamp } from './release-package.ts';
import { Updater, type UpdateAnswer, type UpdateReport } from './updater.ts';
import { UpdateStateFile } from './update-state.ts';

export interface UpdateWingDeps {
  readonly config: UpdateConfig;
  readonly dataDir: string;
  readonly topicPrefix: string;
  readonly running: ReleaseStamp;
  readonly clock: Clock;
  readonly log: Log;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly idle: () => boolean;
  readonly shiftOpen: () => Promise<boolean>;
  readonly restart: () => void;
  /** An update's report, as a command result on the results topic. */
  readonly report: (r: UpdateReport) => Promise<void>;
}

export class UpdateWing {
  readonly name = 'update';
  readonly chunkTopic: string;
  private readonly fetcher: ChunkFetcher;
  readonly updater: Updater;

  constructor(deps: UpdateWingDeps) {
    this.chunkTopic = `${deps.topicPrefix}/update/chunk`;
    this.fetcher = new ChunkFetcher({ publish: deps.publish, clock: deps.clock, requestTopic: `${deps.topicPrefix}/update/request`, timeoutMs: deps.config.chunkTimeoutMs });
    this.updater = new Updater(
      {
        slots: new ProgramSlots(deps.config.programDir),
        state: new UpdateStateFile(deps.dataDir),
        clock: deps.clock,
        log: deps.log,
        running: deps.running,
        fetchChunk: (order, index) => this.fetcher.fetch(order, index),
        idle: deps.idle,
        shiftOpen: deps.shiftOpen,
        restart: deps.restart,
        report: deps.report,
      },
      deps.config,
    );
  }

  /** Topics to subscribe to. */
  get topics(): readonly string[] {
    return [this.chunkTopic];
  }

  handles(topic: string): boolean {
    return topic === this.chunkTopic;
  }

  handle(_topic: string, payload: Uint8Array): void {
    this.fetcher.handle(payload);
  }

  /** The `update` command's handler for the gate: answers accepted or refused at once. */
  order(id: string, body: Readonly<Record<string, unknown>>): Promise<UpdateAnswer> {
    return this.updater.order(id, body);
  }

  start(): Promise<void> {
    return this.updater.start();
  }

  stop(): Promise<void> {
    return this.updater.stop();
  }

  /** Call once config, FN, broker and journal are all up. */
  confirmHealthy(): Promise<void> {
    return this.updater.confirmHealthy();
  }

  /** The slot it runs from and the update under way, for the status topic. */
  progress(): { slot: string | null; update: { id: string; release: string; phase: string; chunks?: { done: number; of: number } } | null } {
    return this.updater.progress();
  }

  describe(): Record<string, unknown> {
    return { ...this.updater.describe(), transfer: this.fetcher.stats };
  }
}
