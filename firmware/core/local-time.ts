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

/**
 * UTC offsets (hours) of Russia's time zones. None has had a change since Volgograd went back
 * to UTC+3 on 27.12.2020 (02:00 local, 22:00 UTC the day before); Russia keeps no daylight
 * saving time since 2011 (Federal Law 107-FZ of 03.06.2011 "Об исчислении времени"), the
 * zones were set by Federal Law 248-FZ of 21.07.2014 and moved region by region in 2016–2020.
 * Source of the figures and of the last change: the IANA time zone database, files `europe`
 * and `asia` (https://www.iana.org/time-zones; release 2025c, which this Node's ICU carries:
 * test/unit/local-time.test.ts compares every zone with it). A new change needs a new row
 * here and a new `FIXED_SINCE_MS`.
 *
 * Why not Intl: a time zone through Intl.DateTimeFormat loads ICU's formatting data, 8 MiB of
 * a register's resident memory (issue 9 §5), and formatting every "now" cost CPU per job.
 */
export const ZONE_HOURS: Readonly<Record<string, number>> = {
  UTC: 0,
  'Etc/UTC': 0,
  'Europe/Kaliningrad': 2,
  'Europe/Moscow': 3,
  'Europe/Simferopol': 3,
  'Europe/Kirov': 3,
  'Europe/Volgograd': 3,
  'Europe/Astrakhan': 4,
  'Europe/Saratov': 4,
  'Europe/Ulyanovsk': 4,
  'Europe/Samara': 4,
  'Asia/Yekaterinburg': 5,
  'Asia/Omsk': 6,
  'Asia/Novosibirsk': 7,
  'Asia/Barnaul': 7,
  'Asia/Tomsk': 7,
  'Asia/Novokuznetsk': 7,
  'Asia/Krasnoyarsk': 7,
  'Asia/Irkutsk': 8,
  'Asia/Chita': 9,
  'Asia/Yakutsk': 9,
  'Asia/Khandyga': 9,
  'Asia/Vladivostok': 10,
  'Asia/Ust-Nera': 10,
  'Asia/Magadan': 11,
  'Asia/Sakhalin': 11,
  'Asia/Srednekolymsk': 11,
  'Asia/Kamchatka': 12,
  'Asia/Anadyr': 12,
};

/** From this instant on, every zone of ZONE_HOURS has had its offset (Europe/Volgograd's last change). */
export const FIXED_SINCE_MS = Date.UTC(2020, 11, 26, 22);

/** A zone the register can keep time in: one of the table, or any IANA zone Intl knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  if (ZONE_HOURS[timeZone] !== undefined) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Zones of the table from FIXED_SINCE_MS on by their fixed offset; anything else (another zone, an earlier instant) through Intl, loaded only then. */
export function localTimeIn(timeZone: string): LocalTime {
  const hours = ZONE_HOURS[timeZone];
  let intl: ((utcMs: number) => number) | undefined;
  return {
    timeZone,
    toLocalSeconds(utcMs) {
      if (hours !== undefined && utcMs >= FIXED_SINCE_MS) return Math.floor(utcMs / 1000) + hours * 3600;
      intl ??= intlLocalSeconds(timeZone);
      return intl(utcMs);
    },
  };
}

function intlLocalSeconds(timeZone: string): (utcMs: number) => number {
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
  return (utcMs) => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    return Date.UTC(parts['year'] ?? 1970, (parts['month'] ?? 1) - 1, parts['day'] ?? 1, parts['hour'] ?? 0, parts['minute'] ?? 0, parts['second'] ?? 0) / 1000;
  };
}

/** "dd.mm.yyyy HH:MM:SS" of local seconds: ATOL Online's date format. */
export function atolDateTime(localSeconds: number): string {
  const d = new Date(localSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
