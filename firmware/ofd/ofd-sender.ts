/**
 * The OFD sender (issue 5 §2): runs all the time, independent of jobs, and moves every
 * document from the FN to the OFD:
 *
 *   20h → 21h(1) → 22h, 23h…, 25h → [TCP: session header + container → reply] → 26h
 *
 * looping while messages wait (20h again only once the count it gave has run out);
 * exponential backoff with jitter after a failure; `wake()` (the pipeline calls it after each
 * document) runs it at once. The FN is the queue of
 * record: a document leaves it only when the FN accepts the OFD's receipt for it. After a
 * crash anywhere in the exchange the FN still holds the document and it is simply sent
 * again, which is harmless (the OFD keys on FN + FD number); nothing can be skipped.
 *
 * FN commands run inside `exclusive` (the pipeline's queue), so the exchange never lands
 * in the middle of a document being formed; the TCP part runs outside it.
 */
import { FnError } from '../../drivers/fn/fn-error.ts';
import { FnFace } from '../../drivers/fn/fn-face.ts';
import { FN_CODE, OFD_RECEIPT_REJECT_REASONS } from '../../drivers/fn/fn-response-codes.ts';
import { decodeContainer } from '../../drivers/ofd/ofd-container.ts';
import type { OfdTransport } from '../../drivers/ofd/ofd-transport.ts';
import { replyContainer } from '../../drivers/ofd/ofd-transport.ts';
import { wrapMessage } from '../../drivers/ofd/session-header.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { Sleeper } from '../core/sleeper.ts';
import type { Log } from '../core/log.ts';

export type DeliveryRecord =
  | { readonly k: 'confirmed'; readonly fd: number; readonly at: number; readonly bytes: number }
  | { readonly k: 'refused'; readonly fd: number; readonly at: number; readonly ofdCode: number }
  | { readonly k: 'rejected'; readonly fd: number; readonly at: number; readonly reason: number; readonly text: string }
  | { readonly k: 'failed'; readonly fd: number; readonly at: number; readonly text: string };

export interface OfdSenderDeps {
  readonly fn: FnFace;
  readonly transport: Pick<OfdTransport, 'exchange'>;
  readonly clock: Clock;
  readonly log: Log;
  readonly random: () => number;
  /** Runs FN work between the pipeline's documents (FiscalPipeline.exclusive). */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** The delivery log: every attempt's outcome, for status and audit. */
  readonly record: (r: DeliveryRecord) => Promise<void>;
}

export interface OfdSenderOptions {
  /** P-protocol version of the session header for the FN's FFD (session-header.ts). */
  readonly pVersion: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  /** With nothing to send, look at the FN again after this long anyway, ms. */
  readonly idleCheckMs: number;
  /** 23h block size, bytes. */
  readonly blockSize: number;
}

export const DEFAULT_OFD_SENDER_OPTIONS: Omit<OfdSenderOptions, 'pVersion'> = { backoffMinMs: 1000, backoffMaxMs: 300_000, idleCheckMs: 60_000, blockSize: 1024 };

export class OfdSender {
  readonly stats = { confirmed: 0, refused: 0, rejected: 0, failures: 0, lastError: '', lastConfirmedFd: 0 };
  private running = false;
  private stopped = true;
  private readonly sleeper: Sleeper;
  private attempt = 0;
  /**
   * Messages known to wait in the FN, the one being sent among them: 20h's count, less those
   * the FN has taken receipts for since. Only this sender takes a message out of the FN
   * (26h), so the count can only be too low (documents formed since add to it): while it is
   * above zero the next message is read at once, without asking 20h again, the transport
   * already reported open (21h). A backlog drains in four FN commands a message instead of
   * five. Zero after any failure (then 21h(0) is sent and 20h asked again).
   */
  private knownWaiting = 0;
  private loop: Promise<void> = Promise.resolve();
  private readonly log: Log;

  constructor(
    private readonly deps: OfdSenderDeps,
    private readonly options: OfdSenderOptions,
  ) {
    this.log = deps.log.child('ofd');
    this.sleeper = new Sleeper(deps.clock);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops after the step in progress; gives up waiting after `waitMs` (the FN may be stuck). */
  async stop(waitMs = 3000): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    let timer: TimerHandle | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = this.deps.clock.after(waitMs, () => r(undefined))))]);
    timer?.cancel();
    this.running = false;
  }

  /** A new document is in the FN: send it now rather than at the next check. */
  wake(): void {
    if (this.attempt === 0) this.sleeper.wake();
  }

  /** Resolves once the FN's queue is empty (or `timeoutMs` passes): tests and benchmarks. */
  async drained(timeoutMs: number): Promise<boolean> {
    const until = this.deps.clock.now() + timeoutMs;
    for (;;) {
      const status = await this.deps.exclusive(() => this.deps.fn.ofdStatus());
      if (!status || status.messageCount === 0) return true;
      if (this.deps.clock.now() > until) return false;
      this.wake();
      await new Promise((r) => this.deps.clock.after(20, () => r(undefined)));
    }
  }

  describe(): Record<string, unknown> {
    // The P-protocol version as the config and the session header spec write it ("0120"), not 288.
    return { ...this.stats, backoffAttempt: this.attempt, ...this.options, pVersion: this.options.pVersion.toString(16).padStart(4, '0') };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let more = false;
      try {
        more = await this.sendOne();
        this.attempt = 0;
      } catch (e) {
        this.knownWaiting = 0;
        this.stats.failures++;
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        const base = Math.min(this.options.backoffMaxMs, this.options.backoffMinMs * 2 ** Math.min(this.attempt, 20));
        const delay = Math.round(base / 2 + (base / 2) * this.deps.random());
        this.attempt++;
        this.log.warn(`OFD exchange failed (${this.stats.lastError}); the document stays in the FN; next try in ${delay} ms`);
        await this.deps.exclusive(() => this.deps.fn.setTransport(false)).catch(() => undefined);
        await this.sleep(delay);
        continue;
      }
      if (!more) await this.sleep(this.options.idleCheckMs);
    }
  }

  /** One document to the OFD and its receipt to the FN; false when nothing waits. */
  private async sendOne(): Promise<boolean> {
    const { fn, exclusive } = this.deps;
    const message = await exclusive(async () => {
      if (this.knownWaiting > 0) {
        try {
          return await fn.readOfdMessage(this.options.blockSize);
        } catch (e) {
          // The FN refused: it may have restarted, which forgets the transport it was told of
          // (21h is RAM). Forget the count and ask it, as at the start.
          if (!(e instanceof FnError)) throw e;
          this.knownWaiting = 0;
          this.log.info(`the FN refused the next message (${e.message}); asking it for its OFD status`);
        }
      }
      const status = await fn.ofdStatus();
      if (!status) return undefined; // not a phase that talks to the OFD
      if (!FnFace.messageWaiting(status)) {
        if (FnFace.transportOpen(status)) await fn.setTransport(false);
        return undefined;
      }
      // 21h(1) only when the FN does not already hold the connection as open (20h, read just
      // above inside the same exclusive step): in a run of documents it stays open between them.
      if (!FnFace.transportOpen(status)) await fn.setTransport(true);
      this.knownWaiting = Math.max(1, status.messageCount);
      return fn.readOfdMessage(this.options.blockSize);
    });
    if (!message) {
      this.knownWaiting = 0;
      return false;
    }
    const decoded = decodeContainer(message);
    if (!decoded.ok) throw new Error(`the FN's message is not a container (${decoded.problem})`);
    const { fnNumber, fdNumber: fd } = decoded.container;
    let reply: Uint8Array;
    try {
      reply = await this.deps.transport.exchange(wrapMessage(message, fnNumber, this.options.pVersion));
    } catch (e) {
      await this.deps.record({ k: 'failed', fd, at: this.deps.clock.now(), text: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    try {
      const value = await exclusive(() => fn.passOfdReceipt(replyContainer(reply)));
      if (value.ofdCode !== 0) {
        this.stats.refused++;
        await this.deps.record({ k: 'refused', fd, at: this.deps.clock.now(), ofdCode: value.ofdCode });
        throw new Error(`the OFD refused FD ${fd} with code ${value.ofdCode}`);
      }
    } catch (e) {
      if (!(e instanceof FnError && e.fnCode === FN_CODE.OFD_RECEIPT_REJECTED)) throw e;
      this.stats.rejected++;
      const text = OFD_RECEIPT_REJECT_REASONS[e.reason ?? 0] ?? `reason ${e.reason}`;
      await this.deps.record({ k: 'rejected', fd, at: this.deps.clock.now(), reason: e.reason ?? 0, text });
      throw new Error(`the FN did not accept the OFD's receipt for FD ${fd}: ${text}`);
    }
    this.knownWaiting = Math.max(0, this.knownWaiting - 1);
    this.stats.confirmed++;
    this.stats.lastConfirmedFd = fd;
    await this.deps.record({ k: 'confirmed', fd, at: this.deps.clock.now(), bytes: message.length + reply.length });
    this.log.debug(() => `FD ${fd} confirmed by the OFD`);
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return this.stopped ? Promise.resolve() : this.sleeper.sleep(ms);
  }

}
