/**
 * SMPP 3.4 time fields (§7.1.1): `schedule_delivery_time` and `validity_period`, 16 characters
 * "YYMMDDhhmmsstnnp". `p` is "+" or "-" for an absolute time whose zone is nn quarter hours from UTC
 * (t, tenths of a second, is ignored), or "R" for a time relative to now (YY years, MM months, DD days,
 * hh:mm:ss). Empty means "none given".
 */
export type SmppTime = { ok: true; at: number | null } | { ok: false };

const FORMAT = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d)(\d{2})([+\-R])$/;

/** Parses a time field into epoch milliseconds (null when empty), relative ones against `now`. */
export function parseSmppTime(field: string, now: number): SmppTime {
  if (field === "") return { ok: true, at: null };
  const m = FORMAT.exec(field);
  if (!m) return { ok: false };
  const [yy, mo, dd, hh, mi, ss] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const sign = m[9];
  if (sign === "R") {
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() + yy, d.getUTCMonth() + mo, d.getUTCDate() + dd);
    return { ok: true, at: d.getTime() + ((hh * 60 + mi) * 60 + ss) * 1000 };
  }
  if (mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59) return { ok: false };
  const quarters = Number(m[8]);
  if (quarters > 48) return { ok: false };
  const offsetMs = (sign === "+" ? 1 : -1) * quarters * 15 * 60_000;
  const at = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss) - offsetMs;
  const check = new Date(at + offsetMs);
  if (check.getUTCDate() !== dd) return { ok: false };
  return { ok: true, at };
}

/** Two digits, zero-padded. */
const two = (n: number) => String(n).padStart(2, "0");

/**
 * An SMPP absolute time (§7.1.1) in UTC, "YYMMDDhhmmsst00+", as query_sm_resp's final_date carries it:
 * the offset says the zone, so no client need guess it.
 */
export function formatSmppTime(at: number): string {
  const d = new Date(at);
  return (
    two(d.getUTCFullYear() % 100) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes()) +
    two(d.getUTCSeconds()) +
    String(Math.floor(d.getUTCMilliseconds() / 100)) +
    "00+"
  );
}
