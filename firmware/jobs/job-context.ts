/**
 * What the job contract is checked against, read from the device config once: the
 * registration (FFD, INN, address, place, tax systems, seller), the default cashier, the payload
 * limit, and the register's clock for the VAT-rate dates (fiscal-spec §7.2). One place for the
 * cloud's intake and the local API's (issue 13): a job is the same job whoever sends it.
 */
import type { DeviceConfig } from '../config/device-config.ts';
import type { ValidationContext } from './job.ts';

/** `now`: register-local seconds. */
export function validationContext(config: DeviceConfig, now: () => number): ValidationContext & { readonly deviceId: string } {
  const reg = config.registration;
  return {
    deviceId: config.deviceId,
    ffd: reg.ffd,
    inn: reg.inn,
    address: reg.address,
    ...(reg.place !== undefined ? { place: reg.place } : {}),
    taxSystems: reg.taxSystems,
    seller: { ...(reg.userName !== undefined ? { name: reg.userName } : {}), ...(reg.senderEmail !== undefined ? { email: reg.senderEmail } : {}), fnsSite: reg.fnsSite },
    defaultCashier: config.cashier,
    maxPayloadBytes: config.limits.maxPayloadBytes,
    now,
  };
}
