/**
 * Multi-command procedures of the FN protocol that every user of FnDriver needs:
 * passing a document's TLV in 07h chunks of whole TLVs (fn-protocol §4.3.3), reading an
 * archived document back with 45h/46h (§4.8.8–4.8.9), reading an OFD message with 22h–25h.
 */
import { concatBytes } from '../../firmware/core/bytes.ts';
import { KassaError } from '../../firmware/core/kassa-error.ts';
import { FN } from './fn-commands.ts';
import type { FnDriver } from './fn-driver.ts';
import { FnError } from './fn-error.ts';
import { MAX_FRAME_DATA } from './fn-frame-codec.ts';
import { FN_CODE } from './fn-response-codes.ts';

/** Splits encoded TLVs at top-level boundaries into 07h payloads of at most `max` bytes. */
export function chunkTlv(tlv: Uint8Array, max = MAX_FRAME_DATA): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  let at = 0;
  while (at < tlv.length) {
    const size = 4 + ((tlv[at + 2] ?? 0) | ((tlv[at + 3] ?? 0) << 8));
    if (size > max) throw new KassaError('TLV_ENCODE', `tag ${(tlv[at] ?? 0) | ((tlv[at + 1] ?? 0) << 8)} is ${size} bytes: one TLV must fit one 07h message of ${max}`);
    if (at + size - start > max) {
      chunks.push(tlv.subarray(start, at));
      start = at;
    }
    at += size;
  }
  if (at > start) chunks.push(tlv.subarray(start, at));
  return chunks;
}

/** Sends a document's TLV data with as few 07h commands as the frame size allows. */
export async function sendDocumentTlv(fn: FnDriver, tlv: Uint8Array): Promise<void> {
  for (const chunk of chunkTlv(tlv)) await fn.execute(FN.sendTlv, { tlv: chunk });
}

export interface ArchivedTlv {
  readonly fdType: number;
  /** The document's STLV value: every top-level TLV, FN-formed ones included. */
  readonly tlv: Uint8Array;
}

/** Reads one document back from the archive as TLV (45h, then 46h until 08h). */
export async function readArchivedTlv(fn: FnDriver, fd: number): Promise<ArchivedTlv> {
  const head = await fn.execute(FN.getDocumentTlv, { fd });
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    try {
      const { value } = await fn.execute(FN.readDocumentTlv, {});
      parts.push(value.tlv);
      length += value.tlv.length;
    } catch (e) {
      if (e instanceof FnError && e.fnCode === FN_CODE.NO_DATA) break;
      throw e;
    }
  }
  if (length !== head.value.length) throw new KassaError('FN_PROTOCOL', `FD ${fd}: 45h announced ${head.value.length} bytes, 46h gave ${length}`);
  return { fdType: head.value.docType, tlv: concatBytes(parts) };
}

/** Reads the next message for the OFD (22h, 23h blocks, 25h); undefined when none waits (08h). */
export async function readOfdMessage(fn: FnDriver, blockSize = 1024): Promise<Uint8Array | undefined> {
  let length: number;
  try {
    length = (await fn.execute(FN.startMessageRead, {})).value.length;
  } catch (e) {
    if (e instanceof FnError && e.fnCode === FN_CODE.NO_DATA) return undefined;
    throw e;
  }
  const message = new Uint8Array(length);
  for (let offset = 0; offset < length; ) {
    const { value } = await fn.execute(FN.readMessageBlock, { offset, length: Math.min(blockSize, length - offset) });
    if (value.data.length === 0) throw new KassaError('FN_PROTOCOL', `23h returned no data at offset ${offset} of ${length}`);
    message.set(value.data, offset);
    offset += value.data.length;
  }
  await fn.execute(FN.finishMessageRead, {});
  return message;
}
