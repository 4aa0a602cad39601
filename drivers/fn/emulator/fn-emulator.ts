/**
 * FnEmulator: the device side of the FN exchange protocol on any byte stream (a serial
 * line such as one end of a socat pty pair, or an in-process pair). It frames, answers ENQ
 * with the last answer (fn-protocol §2.5), and runs the FnDevice state machine.
 *
 * Fault knobs for reliability work, all off by default and changeable at run time:
 * a response delay, corrupted answer bytes, dropped answers, and a power cut in the
 * middle of a command (before or after its change is durable).
 */
import type { Clock } from '../../../firmware/core/clock.ts';
import { hex, type Log } from '../../../firmware/core/log.ts';
import { Listeners, type BytePort } from '../../port.ts';
import { FN, FN_BY_CODE } from '../fn-commands.ts';
import { encodeFrame } from '../fn-frame-codec.ts';
import { FnFrameDecoder } from '../fn-frame-decoder.ts';
import { hexByte } from '../fn-response-codes.ts';
import type { FnDevice } from './fn-device.ts';

export interface FnEmulatorFaults {
  /** Added before every answer, ms. */
  responseDelayMs: number;
  /** Added before the answer of the commands that sign a document (16h, 12h, 14h, 19h, 03h, A3h, 05h), ms: a realistic FN. */
  signDelayMs: number;
  /** Probability (0..1) that an answer has one byte flipped. */
  corruptRate: number;
  /** Probability (0..1) that an answer is not sent at all. */
  dropRate: number;
  /** The next N answers are corrupted / dropped, whatever the rates. */
  corruptNext: number;
  dropNext: number;
  /**
   * Power cut at the next command with this code (any command when undefined): 'before-commit'
   * loses the command, 'after-commit' makes it durable and then never answers.
   */
  powerCut: { readonly command?: number; readonly at: 'before-commit' | 'after-commit' } | undefined;
}

export const NO_FAULTS: FnEmulatorFaults = { responseDelayMs: 0, signDelayMs: 0, corruptRate: 0, dropRate: 0, corruptNext: 0, dropNext: 0, powerCut: undefined };

/** The commands that form and sign a document: what takes an FN its time. */
const SIGNING_COMMANDS: ReadonlySet<number> = new Set([FN.formReceipt, FN.openShift, FN.closeShift, FN.formStateReport, FN.formRegistration, FN.formRegistration12, FN.closeFn].map((c) => c.code));

export interface FnEmulatorDeps {
  readonly port: BytePort;
  readonly device: FnDevice;
  readonly clock: Clock;
  readonly log: Log;
  /** Uniform [0, 1): injected so fault runs are reproducible. */
  readonly random: () => number;
}

export interface FnEmulatorCounters {
  commands: number;
  enqAnswered: number;
  corrupted: number;
  dropped: number;
  badFrames: number;
}

export class FnEmulator {
  readonly faults: FnEmulatorFaults;
  readonly counters: FnEmulatorCounters = { commands: 0, enqAnswered: 0, corrupted: 0, dropped: 0, badFrames: 0 };
  private readonly decoder = new FnFrameDecoder({ acceptEnq: true });
  private readonly powerCuts = new Listeners<[]>();
  private lastAnswer: Uint8Array | undefined;
  private dead = false;
  private unsubscribe: (() => void) | undefined;
  private readonly log: Log;

  constructor(
    private readonly deps: FnEmulatorDeps,
    faults: Partial<FnEmulatorFaults> = {},
  ) {
    this.faults = { ...NO_FAULTS, ...faults };
    this.log = deps.log.child('fn-emulator');
  }

  start(): void {
    this.unsubscribe = this.deps.port.onData((chunk) => this.onChunk(chunk));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Called once the emulated power is cut; the emulator then stays silent. */
  onPowerCut(listener: () => void): () => void {
    return this.powerCuts.add(listener);
  }

  get isDead(): boolean {
    return this.dead;
  }

  private onChunk(chunk: Uint8Array): void {
    if (this.dead) return;
    const crcBefore = this.decoder.counters.crcErrors;
    const frames = this.decoder.push(chunk);
    this.counters.badFrames += this.decoder.counters.crcErrors - crcBefore;
    for (let n = this.decoder.takeEnq(); n > 0; n--) {
      this.counters.enqAnswered++;
      if (this.lastAnswer) this.reply(this.lastAnswer);
    }
    for (const frame of frames) {
      if (this.dead) return;
      this.counters.commands++;
      const cut = this.faults.powerCut;
      if (cut && (cut.command === undefined || cut.command === frame.code)) {
        this.cutPower(frame.code, cut.at, frame.data);
        return;
      }
      const answer = this.deps.device.handle(frame.code, frame.data);
      this.log.debug(() => `${hexByte(frame.code)} ${FN_BY_CODE.get(frame.code)?.name ?? '?'} -> ${hexByte(answer.code)} ${hex(answer.data)}`);
      this.lastAnswer = encodeFrame(answer.code, answer.data);
      this.reply(this.lastAnswer, SIGNING_COMMANDS.has(frame.code) ? this.faults.signDelayMs : 0);
    }
  }

  private cutPower(code: number, at: 'before-commit' | 'after-commit', data: Uint8Array): void {
    if (at === 'after-commit') this.deps.device.handle(code, data);
    this.dead = true;
    this.log.warn(`power cut ${at} of ${hexByte(code)} ${FN_BY_CODE.get(code)?.name ?? ''}`);
    this.powerCuts.emit();
  }

  private reply(frame: Uint8Array, extraDelayMs = 0): void {
    const f = this.faults;
    if (f.dropNext > 0 || (f.dropRate > 0 && this.deps.random() < f.dropRate)) {
      if (f.dropNext > 0) f.dropNext--;
      this.counters.dropped++;
      return;
    }
    let bytes = frame;
    if (f.corruptNext > 0 || (f.corruptRate > 0 && this.deps.random() < f.corruptRate)) {
      if (f.corruptNext > 0) f.corruptNext--;
      bytes = frame.slice();
      // Flip a bit after the start byte so the frame is found but fails its CRC.
      const i = 1 + Math.floor(this.deps.random() * (bytes.length - 1));
      bytes[i] = (bytes[i] ?? 0) ^ 0x10;
      this.counters.corrupted++;
    }
    const send = (): void => {
      if (this.dead) return;
      this.deps.port.write(bytes).catch((e: unknown) => this.log.warn(`cannot answer: ${e instanceof Error ? e.message : String(e)}`));
    };
    const delay = f.responseDelayMs + extraDelayMs;
    if (delay > 0) this.deps.clock.after(delay, send);
    else send();
  }
}
