/**
 * Talks to the service manager that started us: sd_notify(3) messages (READY=1, WATCHDOG=1,
 * STATUS=…, STOPPING=1) sent to the socket systemd names in $NOTIFY_SOCKET.
 *
 * Node has no AF_UNIX datagram sockets, so each message goes through systemd's own
 * `systemd-notify` tool, which ships with every systemd. Since systemd 246 it waits for a
 * barrier (the manager has read the message) before it exits, so the manager still finds the
 * sender in the service's cgroup; the unit needs NotifyAccess=all because the sender is a child
 * (systemd-notify(1), sd_notify(3) "BARRIER=1").
 *
 * The watchdog's period follows sd_watchdog_enabled(3): WATCHDOG_USEC, for this process only
 * when WATCHDOG_PID is absent or names it.
 */

export interface ServiceManager {
  /** False when no service manager listens ($NOTIFY_SOCKET unset): every call is then a no-op. */
  readonly present: boolean;
  /** The watchdog period the manager expects pings within, in ms; undefined when it has none for us. */
  readonly watchdogMs: number | undefined;
  /** Sends one message of `KEY=value` assignments; rejects when systemd-notify fails. */
  notify(fields: Readonly<Record<string, string>>): Promise<void>;
}

export interface ServiceManagerOptions {
  /** The environment to read NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly pid: number;
  /** The notify tool, default `systemd-notify` on PATH. */
  readonly tool?: string;
  /** How long one message may take, default 5000 ms. */
  readonly timeoutMs?: number;
}

export function serviceManager(options: ServiceManagerOptions): ServiceManager {
  const { env } = options;
  const present = Boolean(env['NOTIFY_SOCKET']);
  const usec = Number(env['WATCHDOG_USEC']);
  const forUs = env['WATCHDOG_PID'] === undefined || Number(env['WATCHDOG_PID']) === options.pid;
  const watchdogMs = present && forUs && Number.isFinite(usec) && usec > 0 ? Math.floor(usec / 1000) : undefined;
  return {
    present,
    watchdogMs,
    notify(fields) {
      if (!present) return Promise.resolve();
      // A value never carries a newline: it would start another assignment (sd_notify(3)).
      const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`);
      // node:child_process only under a service manager: a start elsewhere does not load it.
      return import('node:child_process').then(({ execFile }) => new Promise<void>((resolve, reject) => {
        execFile(options.tool ?? 'systemd-notify', args, { timeout: options.timeoutMs ?? 5000, env: { ...env } as NodeJS.ProcessEnv }, (error) => (error ? reject(error) : resolve()));
      }));
    },
  };
}
