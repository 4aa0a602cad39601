/**
 * The operator confirmation (квитанция, FD type 7) the OFD sends back for a document
 * (fiscal-spec §3.3): a container of FD type 7 whose body is STLV 7 with 1017 OFD INN,
 * 1041 FN number, 1040 FD number, 1012 date/time, 1068 {1022 OFD response code} and
 * 1078 the operator fiscal sign. Pure; the OFD emulator builds it, tests forge bad ones.
 */
import type { TlvNode } from '../../firmware/fiscal/tlv-codec.ts';
import { encodeNode } from '../../firmware/fiscal/tlv-codec.ts';
import { FD_TYPE } from '../../firmware/fiscal/tag-table.ts';
import { encodeContainer } from './ofd-container.ts';
import { operatorSign } from './operator-sign.ts';

export interface ConfirmationInput {
  readonly fnNumber: string;
  readonly fdNumber: number;
  readonly ofdInn: string;
  /** 1012, register-local seconds. */
  readonly dateTime: number;
  /** 1022: 0 = accepted. */
  readonly ofdCode: number;
  /** The key of the test operator sign (drivers/ofd/operator-sign.ts). */
  readonly operatorKey: string;
}

export function confirmationNodes(input: ConfirmationInput): TlvNode[] {
  return [
    { tag: 1017, value: input.ofdInn },
    { tag: 1041, value: input.fnNumber },
    { tag: 1040, value: input.fdNumber },
    { tag: 1012, value: input.dateTime },
    { tag: 1068, value: [{ tag: 1022, value: input.ofdCode }] },
    { tag: 1078, value: operatorSign(input.operatorKey, input) },
  ];
}

/** The confirmation container as the FN takes it with 26h (without the session header). */
export function encodeConfirmation(input: ConfirmationInput, nodes: readonly TlvNode[] = confirmationNodes(input)): Uint8Array {
  const body = encodeNode({ tag: FD_TYPE.operatorConfirmation, value: nodes }, '1.2');
  return encodeContainer({ fdType: FD_TYPE.operatorConfirmation, fnNumber: input.fnNumber, fdNumber: input.fdNumber, body });
}
