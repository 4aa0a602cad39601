/**
 * The cloud's small settings, `{"cashier": {"name", "inn"?}, "closeAt": "HH:MM" | null}`:
 * the provisioning topic's message since issue 3, and the body of a signed `settings`
 * command (issue 12). They go to device state and override the config's defaults.
 */
import type { Log } from '../core/log.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { DeviceState } from '../state/device-state.ts';

export interface Settings {
  readonly cashier?: Cashier;
  readonly closeAt?: string | null;
}

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const CASHIER_PROBLEM = 'cashier: {"name": string, "inn"?: string} expected';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The settings of a message, parsed, not cast; or every problem. */
export function parseSettings(m: Record<string, unknown>): { readonly ok: true; readonly value: Settings } | { readonly ok: false; readonly problems: string[] } {
  const problems: string[] = [];
  const { cashier, closeAt } = m;
  let parsed: Cashier | undefined;
  if (cashier !== undefined) {
    const inn = isRecord(cashier) ? cashier['inn'] : undefined;
    if (!isRecord(cashier) || typeof cashier['name'] !== 'string' || (inn !== undefined && typeof inn !== 'string')) problems.push(CASHIER_PROBLEM);
    else parsed = { name: cashier['name'], ...(typeof inn === 'string' ? { inn } : {}) };
  }
  if (!(closeAt === undefined || closeAt === null || (typeof closeAt === 'string' && HH_MM.test(closeAt)))) problems.push('closeAt: "HH:MM" or null expected');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { ...(parsed ? { cashier: parsed } : {}), ...(closeAt !== undefined ? { closeAt: closeAt as string | null } : {}) } };
}

/** Checks and stores the settings; returns the problems (nothing stored) or [] once stored. */
export async function applySettings(m: Record<string, unknown>, state: DeviceState, log: Log): Promise<string[]> {
  const parsed = parseSettings(m);
  if (!parsed.ok) return parsed.problems;
  const { cashier, closeAt } = parsed.value;
  await state.update((d) => {
    if (cashier !== undefined) d.settings.cashier = cashier;
    if (closeAt !== undefined) d.settings.closeAt = closeAt;
  });
  log.info(`settings provisioned: ${Object.keys(m).join(', ')} (the shift close time applies from the next start)`);
  return [];
}

/** The unsigned provisioning topic of a register without a pinned cloud key: bad input is logged and ignored. */
export async function provisionUnsigned(payload: Uint8Array, state: DeviceState, log: Log): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    log.warn('provisioning message is not JSON: ignored');
    return;
  }
  if (typeof message !== 'object' || message === null) return log.warn('provisioning message is not an object: ignored');
  const problems = await applySettings(message as Record<string, unknown>, state, log);
  if (problems.length > 0) log.warn(`provisioning message ignored: ${problems.join('; ')}`);
}
