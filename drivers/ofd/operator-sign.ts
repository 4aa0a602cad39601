/**
 * The test operator fiscal sign (ФПО, tag 1078) shared by the OFD emulator and the FN
 * emulator (fiscal-spec §3.3, §6.3). A real ФПО is made by the OFD's certified GOST
 * crypto module and no software can make one a real FN accepts; our emulators instead
 * agree on a published test key. This is an emulator, not a certified FN or OFD.
 */
import { createHmac } from 'node:crypto';

/** The default test key: anyone can forge this sign, which is exactly the point of a test key. */
export const TEST_OPERATOR_KEY = 'kassa-runtime test OFD key: not a real operator fiscal sign';
export const OPERATOR_SIGN_LENGTH = 18;

export interface OperatorSignInput {
  readonly fnNumber: string;
  readonly fdNumber: number;
  readonly ofdInn: string;
  /** 1012 of the confirmation, register-local unix seconds. */
  readonly dateTime: number;
}

export function operatorSign(key: string, input: OperatorSignInput): Uint8Array {
  const mac = createHmac('sha256', key).update(`${input.fnNumber}|${input.fdNumber}|${input.ofdInn.trim()}|${input.dateTime}`).digest();
  return new Uint8Array(mac.subarray(0, OPERATOR_SIGN_LENGTH));
}
