/**
 * The cloud side of the composition root: the MQTT broker (embedded in demo mode), the link
 * to it, the job intake behind the jobs topic, the other wings' topics routed to them
 * (provisioning and commands, update chunks), and the result reporter that sends every result
 * the pipeline publishes.
 */
import { Listeners } from '../../drivers/port.ts';
import type { Clock } from '../core/clock.ts';
import type { LocalTime } from '../core/local-time.ts';
import type { Log } from '../core/log.ts';
import { made, type Service } from '../core/service.ts';
import type { DeviceConfig } from '../config/device-config.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { validationContext } from './job-context.ts';
import { JobIntake } from './job-intake.ts';
import type { JobLedger } from './job-ledger.ts';
import { FINAL_STATUSES, type JobResult } from './job-result.ts';
import { MqttLink, type MqttLinkOptions } from './mqtt-link.ts';
import { ResultReporter } from './result-reporter.ts';
import { topicsFor, type Topics } from './topics.ts';

export interface JobsWiringDeps {
  readonly ledger: JobLedger;
  readonly clock: Clock;
  readonly localTime: LocalTime;
  readonly log: Log;
  readonly random: () => number;
  /** Every result of every job (the pipeline's): each is sent to the cloud. */
  readonly results: Listeners<[JobResult]>;
  /** An accepted job goes to the pipeline. */
  readonly submit: (id: string) => void;
}

/** Another wing's topics on the same link: subscribed, and their messages handed to it. */
export interface TopicRoute {
  readonly topics: readonly string[];
  handles(topic: string): boolean;
  handle(topic: string, payload: Uint8Array): Promise<void> | void;
}

export class JobsWing implements Service {
  readonly name = 'jobs';
  readonly topics: Topics;
  readonly intake: JobIntake;
  /** After every message handled, every job's end (any source), and every (re)connection: the status is worth publishing. */
  readonly activity = new Listeners<[{ readonly connected: boolean }]>();
  private broker: EmbeddedBroker | undefined;
  private link: MqttLink | undefined;
  private reporter: ResultReporter | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly routes: TopicRoute[] = [];
  private door: ((payload: Uint8Array) => Promise<Uint8Array | undefined>) | undefined;
  brokerUrl = '';

  constructor(
    private readonly config: DeviceConfig,
    private readonly deps: JobsWiringDeps,
  ) {
    this.topics = topicsFor(config.mqtt.topicPrefix);
    this.intake = new JobIntake(
      { ledger: deps.ledger, clock: deps.clock, localTime: deps.localTime, log: deps.log, publish: (r) => deps.results.emit(r), submit: deps.submit },
      // The job's date for the VAT rate rules (fiscal-spec §7.2): register-local seconds now.
      validationContext(config, () => deps.localTime.toLocalSeconds(deps.clock.now())),
    );
  }

  /** Another wing's topics (signed commands, update chunks); before start(). */
  route(route: TopicRoute): void {
    this.routes.push(route);
  }

  /** A door every job passes before the intake (signed jobs, issue 12): the payload to take in, or undefined when refused; before start(). */
  guardJobs(door: (payload: Uint8Array) => Promise<Uint8Array | undefined>): void {
    this.door = door;
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<void> {
    return made(this.link, 'the MQTT link').publish(topic, payload, options);
  }

  async start(): Promise<void> {
    const { config, deps } = this;
    const { log, clock } = deps;
    const b = config.mqtt.broker;
    if (b.kind === 'embedded') {
      // aedes only for a register that runs its own broker (demo mode; in the bundle its modules are initialised only here).
      const { startEmbeddedBroker } = await import('./embedded-broker.ts');
      this.broker = await startEmbeddedBroker(b.host, b.port);
      log.info(`embedded MQTT broker on ${this.broker.url}`);
    }
    this.brokerUrl = this.broker?.url ?? (b.kind === 'external' ? b.url : '');
    const link = new MqttLink({ log, clock, random: deps.random }, this.linkOptions());
    const reporter = new ResultReporter({ publish: (t, p) => link.publish(t, p), connected: () => link.connected, ledger: deps.ledger, clock, log }, this.topics.results);
    this.link = link;
    this.reporter = reporter;
    reporter.start();
    this.unsubscribe = deps.results.add((r) => {
      reporter.report(r);
      // A job ended, whatever brought it (the cloud, the local API, the console): the status changed.
      if (FINAL_STATUSES.has(r.status)) this.activity.emit({ connected: false });
    });
    link.onConnected(() => {
      reporter.republishUnreported();
      this.activity.emit({ connected: true });
    });
    link.start(async (topic, payload) => {
      const route = this.routes.find((r) => r.handles(topic));
      if (topic === this.topics.jobs) {
        const job = this.door ? await this.door(payload) : payload;
        if (job) await this.intake.handle(job);
      } else if (route) await route.handle(topic, payload);
      this.activity.emit({ connected: false });
    });
  }

  private linkOptions(): MqttLinkOptions {
    const { broker: b, topicPrefix: _prefix, ...session } = this.config.mqtt;
    const auth = b.kind === 'external' ? (({ kind: _kind, url: _url, ...rest }) => rest)(b) : {};
    return {
      ...session,
      ...auth,
      url: this.brokerUrl,
      // aedes speaks MQTT 3.1.1 only
      protocolVersion: this.broker ? 4 : session.protocolVersion,
      subscriptions: [this.topics.jobs, ...this.routes.flatMap((r) => r.topics)],
      will: { topic: this.topics.status, payload: JSON.stringify({ version: 1, state: 'offline', device_id: this.config.deviceId }) },
    };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.reporter?.stop();
    await this.link?.stop();
    await this.broker?.close();
  }

  describe(): Record<string, unknown> {
    return { mqtt: this.link?.describe() ?? { started: false }, intake: this.intake.stats, results: this.reporter?.stats ?? {} };
  }
}
