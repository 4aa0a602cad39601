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
import type { Log } from '../../../firmware/core/log.ts';
import { FN_BY_CODE } from '../fn-commands.ts';
import { FN_CODE, hexByte, WARNING_BIT } from '../fn-response-codes.ts';
import { FnDeviceCore, warningFlags, type DeviceAnswer, type FnDeviceDeps, type FnDeviceOptions, type Handler } from './fn-device-core.ts';
import { archiveHandlers } from './fn-device-archive.ts';
import { counterHandlers } from './fn-device-counters.ts';
import { documentHandlers } from './fn-device-documents.ts';
import { ofdHandlers } from './fn-device-ofd.ts';
import { registrationHandlers } from './fn-device-registration.ts';
import { statusHandlers } from './fn-device-status.ts';
import { initialState, type ArchivedDocument, type FnState, type OfdAck } from './fn-emulator-state.ts';
import { FnRefusal } from './fn-refusal.ts';

export type { FnDeviceDeps, FnDeviceOptions } from './fn-device-core.ts';

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
      answer = { code: FN_CODE.UNKNOWN_COMMAND, data: new Uint8Array(0) };
    } else {
      try {
        answer = { code: FN_CODE.OK, data: handler(data) };
      } catch (e) {
        if (!(e instanceof FnRefusal)) throw e;
        this.log.debug(() => `${hexByte(code)} ${FN_BY_CODE.get(code)?.name ?? ''} refused: ${hexByte(e.fnCode)} ${e.message}`);
        answer = { code: e.fnCode, data: e.data };
      }
    }
    return { code: answer.code | (warningFlags(this.core) !== 0 ? WARNING_BIT : 0), data: answer.data };
  }

  /** Read-only view for tests and the console. */
  get snapshot(): { state: FnState; documents: ReadonlyMap<number, ArchivedDocument>; acks: ReadonlyMap<number, OfdAck> } {
    return { state: this.core.state, documents: this.core.documents, acks: this.core.acks };
  }
}

