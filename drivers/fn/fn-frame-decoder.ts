/**
 * Stream decoder for FN frames: feed it chunks as they arrive, get whole frames back.
 * It resyncs after garbage (scans for 04h), waits across split chunks, returns every
 * frame of a coalesced chunk, drops frames with a bad CRC, and counts each anomaly
 * (DESIGN.md §1 invariant 5). Not an event emitter: push() returns what it found.
 */
import { concatBytes } from '../../firmware/core/bytes.ts';
import { crc16CcittFalse } from '../../firmware/core/crc16-ccitt.ts';
import { ENQ, FRAME_START, MAX_FRAME_DATA, type Frame } from './fn-frame-codec.ts';

export interface FrameDecoderCounters {
  frames: number;
  crcErrors: number;
  /** Bytes skipped while looking for a start byte. */
  garbageBytes: number;
  /** Times the decoder had to hunt for a new start byte after garbage, bad CRC or bad length. */
  resyncs: number;
  badLengths: number;
}

export interface FrameDecoderOptions {
  /** Device side: a lone ENQ between frames is a request to resend, not garbage (see takeEnq). */
  readonly acceptEnq?: boolean;
}

export class FnFrameDecoder {
  readonly counters: FrameDecoderCounters = { frames: 0, crcErrors: 0, garbageBytes: 0, resyncs: 0, badLengths: 0 };
  private buffer: Uint8Array = new Uint8Array(0);
  private enqs = 0;
  constructor(private readonly options: FrameDecoderOptions = {}) {}

  /** Device side: how many ENQ bytes arrived between frames since the last call. */
  takeEnq(): number {
    const n = this.enqs;
    this.enqs = 0;
    return n;
  }

  /** Adds a chunk; returns the frames completed by it, in order. */
  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk.slice() : concatBytes([this.buffer, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      const start = this.buffer.indexOf(FRAME_START, at);
      if (start < 0) {
        this.skip(at, this.buffer.length);
        at = this.buffer.length;
        break;
      }
      this.skip(at, start);
      at = start;
      if (this.buffer.length - at < 3) break; // need LEN
      const length = (this.buffer[at + 1] ?? 0) | ((this.buffer[at + 2] ?? 0) << 8);
      if (length < 1 || length > MAX_FRAME_DATA + 1) {
        this.counters.badLengths++;
        this.counters.resyncs++;
        this.counters.garbageBytes++;
        at++;
        continue;
      }
      const total = 3 + length + 2;
      if (this.buffer.length - at < total) break; // wait for the rest
      const crcAt = at + 3 + length;
      const crc = (this.buffer[crcAt] ?? 0) | ((this.buffer[crcAt + 1] ?? 0) << 8);
      if (crc16CcittFalse(this.buffer, at + 1, crcAt) !== crc) {
        // The 04h may have been a data byte of garbage: rescan from the next byte.
        this.counters.crcErrors++;
        this.counters.resyncs++;
        this.counters.garbageBytes++;
        at++;
        continue;
      }
      frames.push({ code: this.buffer[at + 3] ?? 0, data: this.buffer.slice(at + 4, crcAt) });
      this.counters.frames++;
      at += total;
    }
    this.buffer = this.buffer.subarray(at);
    return frames;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Forgets a partial frame, e.g. before asking for a resend after a timeout. */
  reset(): void {
    if (this.buffer.length > 0) {
      this.counters.garbageBytes += this.buffer.length;
      this.counters.resyncs++;
    }
    this.buffer = new Uint8Array(0);
  }

  private skip(from: number, to: number): void {
    let garbage = 0;
    for (let i = from; i < to; i++) {
      if (this.options.acceptEnq && this.buffer[i] === ENQ) this.enqs++;
      else garbage++;
    }
    if (garbage === 0) return;
    this.counters.garbageBytes += garbage;
    this.counters.resyncs++;
  }
}

