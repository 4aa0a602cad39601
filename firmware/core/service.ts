/**
 * One lifecycle for every long-lived part of the register (DESIGN.md §3 rule 11): the
 * constructor stores its deps and does nothing else; `start()` begins work; `stop()` ends
 * it (async, idempotent); `describe()` says what it is doing (the console and the status
 * read it). The composition root keeps a ServiceList: started in order, stopped in reverse.
 */
import { KassaError } from './kassa-error.ts';
import type { Log } from './log.ts';

export interface Service {
  /** A short name: the key of its describe() in the register's description. */
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void>;
  describe(): Record<string, unknown>;
}

export class ServiceList {
  private readonly started: Service[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: Log) {}

  /** Starts a service after the ones before it; it is stopped before them. */
  async start<S extends Service>(service: S): Promise<S> {
    if (this.stopping) throw new KassaError('LIFECYCLE', `not starting ${service.name}: the register is stopping`);
    // Process time, for the debug line only: where a boot's time goes (issue 9 §5), not logic.
    const t0 = performance.now();
    try {
      await service.start();
    } catch (e) {
      // What it had made before it failed (a port, an emulator) is let go of too.
      await service.stop().catch(() => undefined);
      throw e;
    }
    this.started.push(service);
    this.log.debug(() => `${service.name} started in ${Math.round(performance.now() - t0)} ms (${Math.round(performance.now())} ms since the process began)`);
    return service;
  }

  /** Stops every started service, the last started first; a failure is logged and the rest still stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const s of this.started.splice(0).reverse()) {
        await s.stop().catch((e: unknown) => this.log.error(`stopping ${s.name}: ${e instanceof Error ? e.message : String(e)}`));
      }
    })();
    return this.stopping;
  }

  /** Every started service's describe(), by name, in start order. */
  describe(): Record<string, unknown> {
    return Object.fromEntries(this.started.map((s) => [s.name, s.describe()]));
  }
}

/** A part a service makes in start(): there once started, an error before. */
export function made<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new KassaError('LIFECYCLE', `${what} is used before its service started`);
  return value;
}
