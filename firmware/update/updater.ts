/**
 * Firmware updates over MQTT (issue 14 §2), from a verified `update` command to a confirmed new
 * version, or back to the old one:
 *
 *   order ─► download chunk by chunk (each checked against the signed hash, appended, fsynced)
 *         ─► whole package checked (size, SHA-256, stamp) ─► written into the inactive slot
 *         ─► at a safe moment (no document in the FN, nothing waiting to print; or at shift close)
 *            phase "trial", `current` switched, restart
 *   new version ─► healthy within the deadline: "done"; else `current` back and restart
 *   boot guard (deploy/boot-guard.mjs) ─► a version that does not start at all is undone too
 *
 * Every step is in UpdateStateFile first, so a power cut resumes or undoes it. A refused or
 * failed update leaves the running slot as it was and deletes what it downloaded.
 */
import { open, readFile, rm, stat, truncate } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../core/clock.ts';
import type { Log } from '../core/log.ts';
import type { ProgramSlots } from './program-slots.ts';
import { decodeReleasePackage, sha256Hex, type ReleaseStamp } from './release-package.ts';
import { UpdateError, type UpdateFailure } from './update-error.ts';
import { parseUpdateOrder, type UpdateOrder } from './update-order.ts';
import type { UpdateState, UpdateStateFile } from './update-state.ts';

/** What the updater tells the cloud, on the results topic (firmware/jobs/README.md "Updates"). */
export interface UpdateReport {
  readonly id: string;
  readonly status: 'accepted' | 'staged' | 'switching' | 'done' | 'fail';
  /** The release the update is for. */
  readonly release: string;
  readonly reason?: UpdateFailure;
  readonly message?: string;
}

/** The answer to an `update` command itself: taken on, or refused with why. */
export type UpdateAnswer = UpdateReport & { readonly status: 'accepted' | 'fail' };

export interface UpdaterDeps {
  readonly slots: ProgramSlots;
  readonly state: UpdateStateFile;
  readonly clock: Clock;
  readonly log: Log;
  /** The release that is running (firmware/core/build-info.ts). */
  readonly running: ReleaseStamp;
  /** One chunk of an order's package; rejects on time-out. */
  readonly fetchChunk: (order: UpdateOrder, index: number) => Promise<Uint8Array>;
  /** True when no document is open in the FN, the pipeline is idle and nothing waits to print. */
  readonly idle: () => boolean;
  /** True while a shift is open (an order with switchAt "shift_close" waits for it to close). */
  readonly shiftOpen: () => Promise<boolean>;
  /** Ends the process so that the service manager starts `current` again. */
  readonly restart: () => void;
  readonly report: (r: UpdateReport) => Promise<void>;
}

export interface UpdaterOptions {
  /** The largest package accepted, bytes. */
  readonly maxBytes: number;
  /** Tries per chunk before the transfer fails. */
  readonly chunkTries: number;
  /** How long a new version has, from its start, to prove itself healthy. */
  readonly trialDeadlineMs: number;
  /** Starts of a new version the boot guard allows before it rolls back. */
  readonly maxStarts: number;
  /** How often a staged update looks for a safe moment to switch. */
  readonly switchCheckMs: number;
}

export const UPDATER_DEFAULTS: UpdaterOptions = { maxBytes: 32 * 1024 * 1024, chunkTries: 5, trialDeadlineMs: 120_000, maxStarts: 3, switchCheckMs: 1000 };

export class Updater {
  private running = false;
  private busy: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private downloaded = { done: 0, of: 0 };
  private readonly stats = { ordered: 0, refused: 0, failed: 0, done: 0, rolledBack: 0 };
  private readonly log: Log;

  constructor(
    private readonly deps: UpdaterDeps,
    private readonly options: UpdaterOptions = UPDATER_DEFAULTS,
  ) {
    this.log = deps.log.child('update');
  }

  /** Resumes whatever the state file says is under way. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const s = this.deps.state.read();
    if (!s) return;
    this.log.info(`update ${s.order.id} (${s.order.version}) found in phase ${s.phase}`);
    if (s.phase === 'downloading') this.run(s.order, () => this.download(s.order));
    else if (s.phase === 'staged') this.waitToSwitch(s);
    else if (s.phase === 'trial') await this.trial(s);
    else await this.finish(s.order, { status: 'fail', reason: s.failure.reason, message: s.failure.message });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.busy?.catch(() => undefined);
  }

  progress(): { slot: string | null; update: { id: string; release: string; phase: string; chunks?: { done: number; of: number } } | null } {
    const s = this.deps.state.read();
    const chunks = s?.phase === 'downloading' ? { chunks: { ...this.downloaded } } : {};
    return { slot: this.deps.slots.current() ?? null, update: s ? { id: s.order.id, release: s.order.version, phase: s.phase, ...chunks } : null };
  }

  describe(): Record<string, unknown> {
    const s = this.deps.state.read();
    return {
      running: `${this.deps.running.version} (${this.deps.running.commit})`,
      slot: this.deps.slots.current() ?? 'none (not installed in a slot)',
      update: s ? { id: s.order.id, version: s.order.version, phase: s.phase, ...(s.phase === 'downloading' ? { chunks: this.downloaded } : {}) } : null,
      ...this.stats,
    };
  }

  /**
   * A verified `update` command: answers at once (accepted, or why not); the download goes on.
   * Refusals change nothing.
   */
  async order(id: string, body: Readonly<Record<string, unknown>>): Promise<UpdateAnswer> {
    let order: UpdateOrder;
    try {
      const under = this.deps.state.read();
      if (this.busy || under) throw new UpdateError('busy', `update ${id}: update ${under?.order.id ?? ''} is under way`);
      if (this.deps.slots.current() === undefined) throw new UpdateError('install', `update ${id}: this register does not run from a program slot (deploy/install.sh installs it into one)`);
      order = parseUpdateOrder(id, body, this.deps.running.version, this.options.maxBytes);
    } catch (e) {
      this.stats.refused++;
      const err = e instanceof UpdateError ? e : new UpdateError('malformed', String(e));
      this.log.warn(`update ${id} refused: ${err.message}`);
      return { id, status: 'fail', release: typeof body['version'] === 'string' ? body['version'] : '', reason: err.reason, message: err.message };
    }
    this.stats.ordered++;
    await this.deps.state.write({ phase: 'downloading', order });
    this.log.info(`update ${id}: ${order.version}, ${order.size} bytes in ${order.chunks.length} chunks`);
    this.run(order, () => this.download(order));
    return { id, status: 'accepted', release: order.version };
  }

  /** The app calls this once config, FN, broker and journal are all up: a new version on trial is confirmed. */
  async confirmHealthy(): Promise<void> {
    const s = this.deps.state.read();
    if (s?.phase !== 'trial' || this.deps.slots.current() !== s.to) return;
    this.timer?.cancel();
    this.log.info(`update ${s.order.id}: version ${s.order.version} is healthy`);
    await this.finish(s.order, { status: 'done' });
  }

  private run(order: UpdateOrder, work: () => Promise<void>): void {
    this.busy = work()
      .catch(async (e: unknown) => {
        const err = e instanceof UpdateError ? e : new UpdateError('install', e instanceof Error ? e.message : String(e), { cause: e });
        this.stats.failed++;
        this.log.warn(`update ${order.id} failed: ${err.message}`);
        await this.finish(order, { status: 'fail', reason: err.reason, message: err.message });
      })
      .finally(() => (this.busy = undefined));
  }

  private async download(order: UpdateOrder): Promise<void> {
    const part = this.deps.state.partPath(order);
    let have = await this.verifiedChunks(part, order);
    this.downloaded = { done: have, of: order.chunks.length };
    const file = await open(part, 'a', 0o600);
    try {
      for (; have < order.chunks.length; have++) {
        if (!this.running) return;
        const bytes = await this.fetch(order, have);
        if (sha256Hex(bytes) !== order.chunks[have]) throw new UpdateError('chunk_hash', `update ${order.id}: chunk ${have} is not the one the signed order names`);
        await file.write(bytes);
        await file.sync();
        this.downloaded = { done: have + 1, of: order.chunks.length };
      }
    } finally {
      await file.close();
    }
    const whole = await readFile(part);
    if (whole.length !== order.size || sha256Hex(whole) !== order.sha256) throw new UpdateError('package_hash', `update ${order.id}: the package's size or SHA-256 is not the one the signed order names`);
    const pkg = decodeReleasePackage(whole);
    if (pkg.release.version !== order.version) throw new UpdateError('package_invalid', `update ${order.id}: the package holds ${pkg.release.version}, the order says ${order.version}`);
    const from = this.deps.slots.current()!;
    const to = this.deps.slots.inactive();
    await this.deps.slots.install(to, pkg.files);
    const staged: UpdateState = { phase: 'staged', order, from, to };
    await this.deps.state.write(staged);
    await rm(part, { force: true });
    this.log.info(`update ${order.id}: ${order.version} written into slot ${to}`);
    await this.deps.report({ id: order.id, status: 'staged', release: order.version });
    this.waitToSwitch(staged);
  }

  /** Whole chunks already on disk whose hashes match; a torn tail is cut off. */
  private async verifiedChunks(part: string, order: UpdateOrder): Promise<number> {
    const size = await stat(part).then((s) => s.size, () => 0);
    if (size === 0) return 0;
    const bytes = await readFile(part);
    let good = 0;
    for (; good < order.chunks.length; good++) {
      const end = Math.min(order.size, (good + 1) * order.chunkSize);
      if (bytes.length < end || sha256Hex(bytes.subarray(good * order.chunkSize, end)) !== order.chunks[good]) break;
    }
    await truncate(part, Math.min(bytes.length, good * order.chunkSize));
    if (good > 0) this.log.info(`update ${order.id}: resuming after ${good} of ${order.chunks.length} chunks`);
    return good;
  }

  private async fetch(order: UpdateOrder, index: number): Promise<Uint8Array> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.options.chunkTries; attempt++) {
      try {
        return await this.deps.fetchChunk(order, index);
      } catch (e) {
        last = e;
        this.log.warn(`update ${order.id}: chunk ${index}, try ${attempt} of ${this.options.chunkTries}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    throw new UpdateError('transfer', `update ${order.id}: chunk ${index} did not arrive in ${this.options.chunkTries} tries`, { cause: last });
  }

  private waitToSwitch(s: Extract<UpdateState, { phase: 'staged' }>): void {
    const check = async (): Promise<void> => {
      if (!this.running) return;
      // idle() again after the shift query: a job may have started while the FN answered it.
      const safe = this.deps.idle() && (s.order.switchAt === 'idle' || !(await this.deps.shiftOpen())) && this.deps.idle();
      if (!safe) {
        this.timer = this.deps.clock.after(this.options.switchCheckMs, () => this.background(check(), 'switch'));
        return;
      }
      await this.deps.state.write({ phase: 'trial', order: s.order, from: s.from, to: s.to, starts: 0, maxStarts: this.options.maxStarts, deadlineMs: this.options.trialDeadlineMs });
      await this.deps.slots.switchTo(s.to);
      this.log.info(`update ${s.order.id}: switched to slot ${s.to}; restarting into ${s.order.version}`);
      await this.deps.report({ id: s.order.id, status: 'switching', release: s.order.version });
      this.deps.restart();
    };
    this.background(check(), 'switch');
  }

  /** Work a timer started: a failure is logged and counted, never an unhandled rejection. */
  private background(work: Promise<void>, what: string): void {
    work.catch((e: unknown) => {
      this.stats.failed++;
      this.log.error(`update ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** A version on trial: this one if `current` is its slot, in which case it has until the deadline. */
  private async trial(s: Extract<UpdateState, { phase: 'trial' }>): Promise<void> {
    if (this.deps.slots.current() !== s.to) {
      // The switch did not happen (no boot guard ran): the release is still whole in its slot.
      const staged = { phase: 'staged' as const, order: s.order, from: s.from, to: s.to };
      await this.deps.state.write(staged);
      this.waitToSwitch(staged);
      return;
    }
    this.timer = this.deps.clock.after(s.deadlineMs, () => this.background(this.rollBack(s, 'unhealthy', `version ${s.order.version} did not prove itself healthy within ${s.deadlineMs} ms`), 'roll-back'));
  }

  private async rollBack(s: Extract<UpdateState, { phase: 'trial' }>, reason: UpdateFailure, message: string): Promise<void> {
    this.stats.rolledBack++;
    this.log.error(`update ${s.order.id}: ${message}; back to slot ${s.from}`);
    await this.deps.state.write({ phase: 'rolled_back', order: s.order, from: s.from, to: s.to, failure: { reason, message } });
    await this.deps.slots.switchTo(s.from);
    this.deps.restart();
  }

  private async finish(order: UpdateOrder, outcome: Pick<UpdateReport, 'status' | 'reason' | 'message'>): Promise<void> {
    if (outcome.status === 'done') this.stats.done++;
    await this.deps.report({ id: order.id, release: order.version, ...outcome } as UpdateReport);
    await this.deps.state.clear();
  }
}
