/**
 * The FN emulator's shared core: the working state of a running device, the handler type
 * and the warning flags every handler file reads. The dispatcher (fn-device.ts) and the
 * handler files (fn-device-*.ts) both import this file and never each other (DESIGN.md §2).
 */
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';
import type { FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { FN_CODE, hexByte } from '../fn-response-codes.ts';
import { OFD_BLOCK_DAYS, PHASE, WARNING } from '../fn-status-flags.ts';
import type { ArchivedDocument, FnState, OfdAck } from './fn-emulator-state.ts';
import { FnRefusal } from './fn-refusal.ts';
import type { FnStateStore } from './fn-state-store.ts';

export interface FnDeviceOptions {
  /** 16 digits. */
  readonly fnNumber: string;
  /** Per-FN secret of the emulated fiscal sign (fiscal-spec §6.3). */
  readonly secret: string;
  /** Key shared with the OFD emulator for the test operator fiscal sign (ФПО). */
  readonly operatorKey: string;
  /** End of key validity, register-local seconds; default: 36 months after first start. */
  readonly validUntil?: number;
  /** Enforce the 5-minute FN timer rule (17h). Default true. */
  readonly checkTimer?: boolean;
  /**
   * Not in the spec, off by default: refuse 16h with 09h when the payments or the items do
   * not add up to its total. A real FN runs no format-logic checks (fn-protocol §4.3.1); this
   * knob lets a test catch a register bug at the FN instead of at the OFD.
   */
  readonly strictTotals?: boolean;
  /**
   * Not in the spec for FFD 1.05 mode, off by default: refuse FN-formed tags with 0Bh in FFD 1.05
   * too (Table 5 gives 0Bh only from FFD 1.1 on); a test may turn it on to catch a register bug.
   */
  readonly refuseFormedTagsInFfd105?: boolean;
  /** Documents the archive holds before 14h; default 250 000 [L] (fiscal-spec §1.7). */
  readonly archiveCapacity?: number;
  /** Firmware string of 33h. */
  readonly firmware?: string;
}

export interface FnDeviceDeps {
  readonly store: FnStateStore;
  readonly clock: Clock;
  readonly log: Log;
}

export interface DeviceAnswer {
  readonly code: number;
  readonly data: Uint8Array;
}

export type Handler = (data: Uint8Array) => Uint8Array;

/** Mutable working state of a running device; handlers read and change it through FnDeviceCore. */
export class FnDeviceCore {
  state!: FnState;
  documents = new Map<number, ArchivedDocument>();
  acks = new Map<number, OfdAck>();
  /** 07h data of the open document: RAM, like the FN's buffer; lost on a power cut. */
  documentData: Uint8Array[] = [];
  documentBytes = 0;
  documentTags = new Set<number>();
  /** Total 07h bytes since the last start (A7h). */
  transferred = 0;
  /** OFD link state told by 21h (RAM). */
  transport = false;
  /** Message being read with 22h–25h. */
  reading: { fd: number; message: Uint8Array } | undefined;
  /** FD whose message was read (25h) and waits for the OFD receipt. */
  awaitingReceipt: number | undefined;
  /** 45h/46h cursor. */
  archiveCursor: { tlv: Uint8Array; offset: number } | undefined;

  constructor(
    readonly deps: FnDeviceDeps,
    readonly options: Required<FnDeviceOptions>,
  ) {}

  get ffd(): FfdVersion {
    return this.state.registration?.ffd ?? '1.2';
  }

  /** The FN's own idea of "now" in register-local seconds: its last document time advanced by its timer. */
  localNow(): number {
    if (this.state.lastTimerMs === 0) return Math.floor(this.deps.clock.now() / 1000);
    return this.state.lastDocumentTime + Math.floor((this.deps.clock.now() - this.state.lastTimerMs) / 1000);
  }

  /** FD numbers waiting for an OFD receipt, ascending: the FN's queue for the OFD. */
  private queue: number[] = [];
  private queueHead = 0;

  /** Makes a change durable, then applies it: the record is written before the answer. */
  commit(state: FnState, extra: { document?: ArchivedDocument; ack?: OfdAck } = {}): void {
    this.deps.store.append({ state, ...extra });
    this.state = state;
    if (extra.document) this.addDocument(extra.document);
    if (extra.ack) this.addAck(extra.ack);
  }

  /** Rebuilds the OFD queue from the archive at boot. */
  restore(documents: Map<number, ArchivedDocument>, acks: Map<number, OfdAck>): void {
    this.documents = documents;
    this.acks = acks;
    this.queue = [...documents.values()].filter((d) => d.forOfd && !acks.has(d.fd)).map((d) => d.fd).sort((a, b) => a - b);
    this.queueHead = 0;
  }

  private addDocument(doc: ArchivedDocument): void {
    this.documents.set(doc.fd, doc);
    if (doc.forOfd) this.queue.push(doc.fd); // FD numbers only grow: the queue stays sorted
  }

  private addAck(ack: OfdAck): void {
    this.acks.set(ack.fd, ack);
    // The FN confirms the head of its queue only (fn-device-ofd.ts), so this is a shift.
    if (this.queue[this.queueHead] === ack.fd) this.queueHead++;
    else {
      this.queue = this.queue.slice(this.queueHead).filter((fd) => fd !== ack.fd);
      this.queueHead = 0;
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** How many documents wait for an OFD receipt. */
  unconfirmedCount(): number {
    return this.queue.length - this.queueHead;
  }

  /** The oldest document waiting for an OFD receipt. */
  oldestUnconfirmed(): ArchivedDocument | undefined {
    const fd = this.queue[this.queueHead];
    return fd === undefined ? undefined : this.documents.get(fd);
  }

  requirePhase(...phases: number[]): void {
    if (!phases.includes(this.state.phase)) {
      throw new FnRefusal(FN_CODE.WRONG_STATE, `phase ${hexByte(this.state.phase)} does not allow this command (fn-protocol §3.6 Table 8; Table 5: 02h)`);
    }
  }
}

/** Warning flags byte of 30h (fn-protocol Table 9; fiscal-spec §1.6). */
export function warningFlags(core: FnDeviceCore): number {
  const s = core.state;
  if (s.phase === PHASE.readyForRegistration) return 0;
  const now = core.localNow();
  let flags = s.ofdWarnings;
  const daysLeft = (s.validUntil - now) / 86400;
  if (daysLeft < 3) flags |= WARNING.urgentReplacement;
  if (daysLeft < 30) flags |= WARNING.resourceEnding;
  if (core.documents.size >= core.options.archiveCapacity * 0.99) flags |= WARNING.archiveFull;
  if (isOfdBlocked(core, now)) flags |= WARNING.ofdTimeout;
  return flags;
}

/** True when the oldest unconfirmed document is older than 30 days at `at` (local seconds). */
export function isOfdBlocked(core: FnDeviceCore, at: number): boolean {
  const oldest = core.oldestUnconfirmed();
  return oldest !== undefined && at - oldest.time > OFD_BLOCK_DAYS * 86400;
}
