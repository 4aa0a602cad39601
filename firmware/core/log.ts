/**
 * Logging with a namespace per module and lazy debug messages (DESIGN.md §3 rule 8).
 * A Log is injected; nothing logs through a global.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Log {
  child(namespace: string): Log;
  /** The message is built only when debug output for this namespace is on. */
  debug(message: () => string): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogSinkOptions {
  readonly level: LogLevel;
  /** Receives one formatted line per record. */
  readonly write: (line: string) => void;
  readonly now?: () => number;
}

export function createLog(options: LogSinkOptions, namespace = 'kassa'): Log {
  const min = ORDER[options.level];
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < min) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, jsonSafe)}` : '';
    options.write(`${new Date(now()).toISOString()} ${level.toUpperCase().padEnd(5)} [${namespace}] ${message}${extra}`);
  };
  return {
    child: (ns) => createLog(options, `${namespace}:${ns}`),
    debug: (message) => {
      if (ORDER.debug >= min) emit('debug', message());
    },
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** A log that drops everything: for benchmarks and pure tests. */
export function silentLog(): Log {
  return createLog({ level: 'error', write: () => {} });
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return hex(value);
  return value;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
