/**
 * The register's local time. FFD dates (1012) and the FN's DATE_TIME carry the wall-clock
 * time of the register's time zone (fiscal-spec §6.6); internally that is "local seconds":
 * the local wall-clock time written as if it were UTC.
 */
export interface LocalTime {
  readonly timeZone: string;
  /** Local seconds of a UTC instant (ms). */
  toLocalSeconds(utcMs: number): number;
}

export function localTimeIn(timeZone: string): LocalTime {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return {
    timeZone,
    toLocalSeconds(utcMs) {
      const parts: Record<string, number> = {};
      for (const p of format.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      return Date.UTC(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0) / 1000;
    },
  };
}

/** "dd.mm.yyyy HH:MM:SS" of local seconds: ATOL Online's date format. */
export function atolDateTime(localSeconds: number): string {
  const d = new Date(localSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
