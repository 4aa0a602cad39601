/**
 * The cloud's small settings, `{"cashier": {"name", "inn"?}, "closeAt": "HH:MM" | null}`:
 * the provisioning topic's message since issue 3, and the body of a signed `settings`
 * command (issue 12). They go to device state and override the config's defaults.
 */
import type { Log } from '../core/log.ts';
import type { Cashier } from '../fiscal/receipt.ts';
import type { DeviceState } from '../state/device-state.ts';

/** Checks and stores the settings; returns the problems (nothing stored) or [] once stored. */
export async function applySettings(m: Record<string, unknown>, state: DeviceState, log: Log): Promise<string[]> {
  const problems: string[] = [];
  const cashier = m['cashier'];
  if (cashier !== undefined && !(typeof cashier === 'object' && cashier !== null && typeof (cashier as { name?: unknown }).name === 'string')) problems.push('cashier: {"name": string, "inn"?: string} expected');
  const closeAt = m['closeAt'];
  if (!(closeAt === undefined || closeAt === null || (typeof closeAt === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(closeAt)))) problems.push('closeAt: "HH:MM" or null expected');
  if (problems.length > 0) return problems;
  await state.update((d) => {
    if (cashier !== undefined) d.settings.cashier = cashier as Cashier;
    if (closeAt !== undefined) d.settings.closeAt = closeAt as string | null;
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
