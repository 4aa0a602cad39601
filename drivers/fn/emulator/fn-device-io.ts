/**
 * Request parsing and answer encoding for the emulator, from the same command table the
 * driver uses (fn-commands.ts), so the two sides cannot drift apart.
 */
import { KassaError } from '../../../firmware/core/kassa-error.ts';
import type { FnCommand, RequestOf, ResponseOf } from '../fn-commands.ts';
import { decodeLayout, encodeLayout, type Layout } from '../fn-layout.ts';
import { FnRefusal } from './fn-refusal.ts';
import { FN_CODE } from '../fn-response-codes.ts';

/** Decodes a request; a request that does not fit its layout is 01h (fn-protocol Table 4). */
export function parseRequest<C extends FnCommand>(command: C, data: Uint8Array): RequestOf<C> {
  try {
    const value = decodeLayout(command.request as Layout, data);
    const expected = encodeLayout(command.request as Layout, value as never).length;
    if (expected !== data.length) throw new KassaError('FN_PROTOCOL', `${data.length - expected} extra bytes`);
    return value as RequestOf<C>;
  } catch (e) {
    throw new FnRefusal(FN_CODE.UNKNOWN_COMMAND, `bad ${command.name} request: ${e instanceof Error ? e.message : String(e)} (fn-protocol Table 4: 01h)`);
  }
}

export function encodeAnswer<C extends FnCommand>(command: C, value: ResponseOf<C>): Uint8Array {
  return encodeLayout(command.response as Layout, value as never);
}

export const EMPTY = new Uint8Array(0);
