/**
 * The release's chunks over MQTT (issue 14 §2): a board may have no route out but its broker.
 * The register asks for one chunk at a time and the cloud answers it:
 *
 *   register → `<prefix>/update/request`  JSON  { "id": "<update id>", "index": 3 }
 *   cloud    → `<prefix>/update/chunk`    CBOR  { id: "<update id>", index: 3, data: <bytes> }
 *
 * One request in flight; an answer for another id or index is counted and dropped; no answer
 * within `timeoutMs` rejects (the updater tries again). The hash check is the updater's.
 */
import { decode } from 'cbor-x';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { UpdateOrder } from './update-order.ts';

export interface ChunkFetcherDeps {
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly clock: Clock;
  readonly requestTopic: string;
  readonly timeoutMs: number;
}

export class ChunkFetcher {
  private pending: { id: string; index: number; resolve: (b: Uint8Array) => void; reject: (e: Error) => void; timer: TimerHandle } | undefined;
  readonly stats = { requested: 0, received: 0, stray: 0, timeouts: 0 };

  constructor(private readonly deps: ChunkFetcherDeps) {}

  fetch(order: UpdateOrder, index: number): Promise<Uint8Array> {
    this.pending?.reject(new Error('superseded'));
    return new Promise((resolve, reject) => {
      const timer = this.deps.clock.after(this.deps.timeoutMs, () => {
        this.stats.timeouts++;
        this.pending = undefined;
        reject(new Error(`no chunk ${index} of update ${order.id} within ${this.deps.timeoutMs} ms`));
      });
      this.pending = { id: order.id, index, resolve, reject, timer };
      this.stats.requested++;
      this.deps.publish(this.deps.requestTopic, JSON.stringify({ id: order.id, index })).catch((e: unknown) => {
        timer.cancel();
        this.pending = undefined;
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  /** A message on `<prefix>/update/chunk`. */
  handle(payload: Uint8Array): void {
    let msg: { id?: unknown; index?: unknown; data?: unknown };
    try {
      msg = decode(payload) as typeof msg;
    } catch {
      this.stats.stray++;
      return;
    }
    const p = this.pending;
    if (!p || msg?.id !== p.id || msg.index !== p.index || !(msg.data instanceof Uint8Array)) {
      this.stats.stray++;
      return;
    }
    this.pending = undefined;
    p.timer.cancel();
    this.stats.received++;
    p.resolve(msg.data);
  }
}
