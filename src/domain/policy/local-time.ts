/** A moment seen on a recipient's wall clock. */
export interface LocalTime {
  /** Calendar date, YYYY-MM-DD. */
  date: string;
  /** Days since 1970-01-01 in local time: the key of daily counters. */
  day: number;
  /** Minutes since local midnight. */
  minute: number;
  /** Ms until the local time is `minute` again today or tomorrow: see `msUntilMinute`. */
  offsetMs: number;
}

const dates = new Map<number, string>();
const formatters = new Map<string, Intl.DateTimeFormat>();
const FIXED: Record<string, number> = {
  "Asia/Shanghai": 8 * 3600_000,
  "Asia/Hong_Kong": 8 * 3600_000,
  UTC: 0,
};

/** Whether `tz` names a time zone this runtime knows (an IANA name such as "Asia/Shanghai", or "UTC"). */
export function isTimeZone(tz: string): boolean {
  if (FIXED[tz] !== undefined) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds to add to `at` (UTC) to read the wall clock of time zone `tz` (+8 h for Asia/Shanghai). */
export function utcOffsetMs(tz: string, at: number): number {
  const fixed = FIXED[tz];
  if (fixed !== undefined) return fixed;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(at))) parts[p.type] = p.value;
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The local calendar date, day number and minute of `at` in time zone `tz`. */
export function localTime(tz: string, at: number): LocalTime {
  // campaigns ask the same question a million times in a row
  if (at === last.at && tz === last.tz) return last.value;
  const value = computeLocalTime(tz, at);
  last = { tz, at, value };
  return value;
}

let last: { tz: string; at: number; value: LocalTime } = {
  tz: "",
  at: Number.NaN,
  value: { date: "", day: 0, minute: 0, offsetMs: 0 },
};

function computeLocalTime(tz: string, at: number): LocalTime {
  const offsetMs = utcOffsetMs(tz, at);
  const local = at + offsetMs;
  const day = Math.floor(local / 86_400_000);
  const minute = Math.floor((local - day * 86_400_000) / 60_000);
  let date = dates.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (dates.size > 4096) dates.clear();
    dates.set(day, date);
  }
  return { date, day, minute, offsetMs };
}

/** Whether a minute of the day lies in the window [start, end). */
export function inWindow(minute: number, [start, end]: [number, number]): boolean {
  return start <= minute && minute < end;
}

/** The next moment at or after `at` when the local minute enters [start, end). */
export function nextWindowOpen(tz: string, at: number, window: [number, number]): number {
  const lt = localTime(tz, at);
  if (inWindow(lt.minute, window)) return at;
  const startOfDay = at - (lt.minute * 60_000 + ((at + lt.offsetMs) % 60_000));
  const opens =
    lt.minute < window[0] ? startOfDay + window[0] * 60_000 : startOfDay + (1440 + window[0]) * 60_000;
  return opens;
}
