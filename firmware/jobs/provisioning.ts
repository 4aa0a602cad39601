/**
 * Provisioning from the cloud (the `provisioning` topic): `{"cashier": {"name", "inn"?},
 * "closeAt": "HH:MM" | null}`. Parsed, not cast: anything else is reported and ignored.
 */
import type { Cashier } from '../fiscal/receipt.ts';

export interface Provisioning {
  readonly cashier?: Cashier;
  readonly closeAt?: string | null;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The settings of a provisioning message, or the reason it is ignored. */
export function parseProvisioning(payload: Uint8Array): { ok: true; value: Provisioning } | { ok: false; problem: string } {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (!isRecord(message)) return { ok: false, problem: 'not a JSON object' };
  const { cashier, closeAt } = message;
  let parsedCashier: Cashier | undefined;
  if (cashier !== undefined) {
    if (!isRecord(cashier) || typeof cashier['name'] !== 'string') return { ok: false, problem: 'cashier needs a name' };
    const inn = cashier['inn'];
    if (inn !== undefined && typeof inn !== 'string') return { ok: false, problem: 'cashier.inn must be a string' };
    parsedCashier = { name: cashier['name'], ...(inn !== undefined ? { inn } : {}) };
  }
  if (closeAt !== undefined && closeAt !== null && !(typeof closeAt === 'string' && HH_MM.test(closeAt))) return { ok: false, problem: 'closeAt must be "HH:MM" or null' };
  return { ok: true, value: { ...(parsedCashier ? { cashier: parsedCashier } : {}), ...(closeAt !== undefined ? { closeAt } : {}) } };
}
