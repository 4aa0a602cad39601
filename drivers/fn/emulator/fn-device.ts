/**
 * The FN's state machine: one request (command code + data) in, one answer (code + data)
 * out. The protocol framing, ENQ and the fault knobs live in fn-emulator.ts; this class is
 * the device behind them. Every state change is one durable record (fn-state-store.ts),
 * written before the answer, so the emulator survives restarts like a real FN.
 *
 * Faithful where the register depends on it (fn-protocol §3.6 phases, §4.3 document
 * cycle, §4.6 shift and receipt rules, §4.7 OFD exchange, §4.8 archive); an emulator,
 * not a certified FN: the fiscal sign is an HMAC (fiscal-spec §6.3).
 */
import type { Clock } from '../../../firmware/core/clock.ts';
import type { Log } from '../../../firmware/core/log.ts';
import type { FfdVersion } from '../../../firmware/fiscal/ffd-version.ts';
import { FN_BY_CODE } from '../fn-commands.ts';
import { hexByte } from '../fn-response-codes.ts';
import { archiveHandlers } from './fn-device-archive.ts';
import { counterHandlers } from './fn-device-counters.ts';
import { documentHandlers } from './fn-device-documents.ts';
import { ofdHandlers } from './fn-device-ofd.ts';
import { registrationHandlers } from './fn-device-registration.ts';
import { statusHandlers } from './fn-device-status.ts';
import { initialState, PHASE, type ArchivedDocument, type FnState, type OfdAck } from './fn-emulator-state.ts';
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
      throw new FnRefusal(0x02, `phase ${hexByte(this.state.phase)} does not allow this command (fn-protocol §3.6 Table 8; Table 5: 02h)`);
    }
  }
}

export class FnDevice {
  private readonly core: FnDeviceCore;
  private readonly handlers: ReadonlyMap<number, Handler>;
  private readonly log: Log;

  constructor(deps: FnDeviceDeps, options: FnDeviceOptions) {
    this.log = deps.log.child('fn-emulator');
    this.core = new FnDeviceCore(deps, {
      validUntil: options.validUntil ?? 0,
      checkTimer: options.checkTimer ?? true,
      strictTotals: options.strictTotals ?? false,
      refuseFormedTagsInFfd105: options.refuseFormedTagsInFfd105 ?? false,
      archiveCapacity: options.archiveCapacity ?? 250_000,
      firmware: options.firmware ?? 'kassa-emu 1.2.06',
      ...options,
    });
    this.handlers = new Map([...statusHandlers(this.core), ...counterHandlers(this.core), ...documentHandlers(this.core), ...registrationHandlers(this.core), ...ofdHandlers(this.core), ...archiveHandlers(this.core)]);
  }

  /** Loads the durable state (or creates a fresh FN in phase 1). Call before handle(). */
  boot(): { droppedBytes: number } {
    const loaded = this.core.deps.store.load();
    const core = this.core;
    core.restore(loaded.documents, loaded.acks);
    if (loaded.state) {
      core.state = loaded.state;
    } else {
      const now = Math.floor(core.deps.clock.now() / 1000);
      const validUntil = core.options.validUntil || now + 3 * 365 * 86400;
      core.commit(initialState(core.options.fnNumber, validUntil));
    }
    if (loaded.droppedBytes > 0) this.log.warn(`dropped a torn record of ${loaded.droppedBytes} bytes at boot`);
    return { droppedBytes: loaded.droppedBytes };
  }

  /** Executes one command. Never throws: every refusal is an answer code. */
  handle(code: number, data: Uint8Array): DeviceAnswer {
    const handler = this.handlers.get(code);
    let answer: DeviceAnswer;
    if (!handler) {
      answer = { code: 0x01, data: new Uint8Array(0) };
    } else {
      try {
        answer = { code: 0x00, data: handler(data) };
      } catch (e) {
        if (!(e instanceof FnRefusal)) throw e;
        this.log.debug(() => `${hexByte(code)} ${FN_BY_CODE.get(code)?.name ?? ''} refused: ${hexByte(e.fnCode)} ${e.message}`);
        answer = { code: e.fnCode, data: e.data };
      }
    }
    return { code: answer.code | (warningFlags(this.core) !== 0 ? 0x80 : 0), data: answer.data };
  }

  /** Read-only view for tests and the console. */
  get snapshot(): { state: FnState; documents: ReadonlyMap<number, ArchivedDocument>; acks: ReadonlyMap<number, OfdAck> } {
    return { state: this.core.state, documents: this.core.documents, acks: this.core.acks };
  }
}

/** Warning flags byte of 30h (fn-protocol Table 9; fiscal-spec §1.6). */
export const WARNING = {
  urgentReplacement: 0x01, // validity ends within 3 days
  resourceEnding: 0x02, // validity ends within 30 days
  archiveFull: 0x04, // archive 99% full
  ofdTimeout: 0x08, // OFD response timeout
} as const;

/** Days an unconfirmed document may wait before the FN blocks forming documents (fiscal-spec §1.7). */
export const OFD_BLOCK_DAYS = 30;

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
