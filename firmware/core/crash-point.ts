/**
 * Named moments at which a fault test cuts the register's power (DESIGN.md §4: "kill -9 of
 * the runtime at chosen points"; issue 12 §6). `kassa run` with `KASSA_CRASH_AT=<point>` in
 * its environment kills itself with SIGKILL the first time it reaches that point, so a test
 * chooses the step deterministically instead of guessing it with sleeps. Without the
 * variable every point is a no-op.
 */
export const CRASH_POINTS = [
  // provisioning by claim (claim-client.ts, identity-store.ts, register-start.ts)
  'claim.profile-saved', // the claimed profile is on disk, the identity not yet
  'claim.certificate-saved', // certificate and CA on disk, identity.json (the commit point) not yet
  'claim.identity-saved', // identity.json written, the register not yet started as itself
  // a signed FN-lifecycle command (command-gate.ts, lifecycle-commands.ts)
  'command.received', // verified, neither its sequence number nor the command journaled yet
  'command.journaled', // journaled with the FN's last FD, nothing asked of the FN yet
  'command.formed', // the FN formed the report (the FD exists), its outcome not stored or reported
  'command.reported', // the outcome stored and handed to the MQTT client
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Called at each point; cuts the power at the one a test chose. */
export type CrashAt = (point: CrashPoint) => void;

export const NO_CRASH: CrashAt = () => undefined;

const isCrashPoint = (s: string): s is CrashPoint => (CRASH_POINTS as readonly string[]).includes(s);

/** The crash hook for `KASSA_CRASH_AT=<point>`; an unknown name is refused so a test cannot silently miss its point. */
export function crashAtPoint(wanted: string | undefined, kill: () => void, warn: (line: string) => void): CrashAt {
  if (wanted === undefined || wanted === '') return NO_CRASH;
  if (!isCrashPoint(wanted)) throw new TypeError(`KASSA_CRASH_AT=${wanted}: no such point (${CRASH_POINTS.join(', ')})`);
  return (point) => {
    if (point !== wanted) return;
    warn(`KASSA_CRASH_AT: cutting the power at ${point}`);
    kill();
  };
}
