/** Alibaba's time formats. Parsed by hand: `Date.parse` of zone-less text uses the local zone. */

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const RFC2822 =
  /^(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isoFrom(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMs: number,
): string | undefined {
  const utc = Date.UTC(year, month, day, hour, minute, second);
  const check = new Date(utc);
  // Reject 2021-02-30 and 25:00 instead of letting Date roll them over.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  )
    return undefined;
  return new Date(utc - offsetMs).toISOString();
}

/** `2017-01-01 00:00:00` in Beijing time (UTC+8, no zone given) → ISO 8601 UTC. */
export function beijingToIso(value: string | undefined): string | undefined {
  const m = value ? LOCAL.exec(value.trim()) : null;
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return isoFrom(y, mo - 1, d, h, mi, s, BEIJING_OFFSET_MS);
}

/** `Thu, 25 Nov 2021 10:25:33 +0800` → ISO 8601 UTC (the zone is honoured, not assumed). */
export function rfc2822ToIso(value: string | undefined): string | undefined {
  const m = value ? RFC2822.exec(value.trim()) : null;
  if (!m) return undefined;
  const month = MONTHS.indexOf((m[2] ?? '').toLowerCase());
  if (month < 0) return undefined;
  const sign = m[7] === '-' ? -1 : 1;
  // Real zones run from -12:00 to +14:00, in whole or half hours and quarters: +9999 is no zone.
  const hours = Number(m[8]);
  const minutes = Number(m[9]);
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  const offsetMs = sign * (hours * 60 + minutes) * 60_000;
  return isoFrom(
    Number(m[3]),
    month,
    Number(m[1]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    offsetMs,
  );
}

/** QuerySendDetails' `SendDate`: the Beijing calendar day of an instant, `yyyyMMdd`. */
export function beijingDay(date: Date): string {
  return new Date(date.getTime() + BEIJING_OFFSET_MS)
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '');
}
