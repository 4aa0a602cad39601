/**
 * The registration report the register forms from its configuration (fn-protocol §4.4–4.5;
 * fiscal-spec §1.6 "Details for the registration commands").
 */
import type { RegistrationConfig } from '../config/device-config.ts';
import { ffdVersionCode } from '../fiscal/ffd-version.ts';
import { TAX_SYSTEMS } from '../fiscal/receipt-codes.ts';
import type { TlvNode } from '../fiscal/tlv-codec.ts';
import type { RegistrationRequest } from '../../drivers/fn/fn-documents.ts';

/** Work-mode bit 5: settlements on the internet (fn-protocol Tables 37, 38). */
const WORK_MODE_INTERNET = 0x20;
/** The register's software version, tag 1188 (≤ 8 characters). */
export const KKT_VERSION = '0.1.0';

export function registrationReport(reg: RegistrationConfig, at: number, cashier: readonly TlvNode[]): RegistrationRequest {
  const optional = (tag: number, value: string | undefined): TlvNode[] => (value ? [{ tag, value }] : []);
  return {
    ffd: reg.ffd,
    at,
    inn: reg.inn,
    rnm: reg.rnm,
    taxSystems: reg.taxSystems.reduce((bits, t) => bits | TAX_SYSTEMS[t], 0),
    workMode: reg.internet ? WORK_MODE_INTERNET : 0,
    extendedFlags: 0,
    ofdInn: reg.ofdInn,
    tlv: [
      ...optional(1048, reg.userName),
      { tag: 1009, value: reg.address },
      ...optional(1187, reg.place),
      { tag: 1013, value: reg.kktSerial.padStart(20, '0') },
      { tag: 1060, value: reg.fnsSite },
      ...optional(1117, reg.senderEmail),
      ...optional(1046, reg.ofdName),
      { tag: 1188, value: KKT_VERSION },
      { tag: 1189, value: ffdVersionCode(reg.ffd) },
      ...cashier,
    ],
  };
}
