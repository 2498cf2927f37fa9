/** Beijing time (UTC+8, no daylight saving), the zone of every time Alibaba's SMS APIs write. */
const BEIJING_OFFSET_MS = 8 * 3600_000;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The wall-clock fields of `date` in Beijing. */
function beijing(date: Date) {
  const b = new Date(date.getTime() + BEIJING_OFFSET_MS);
  return {
    y: b.getUTCFullYear(),
    mo: b.getUTCMonth(),
    d: b.getUTCDate(),
    h: b.getUTCHours(),
    mi: b.getUTCMinutes(),
    s: b.getUTCSeconds(),
    wd: b.getUTCDay(),
  };
}

/** `2017-01-01 08:00:00`: mainland receipts and QuerySendDetails (Beijing time, no zone). */
export function formatBeijing(date: Date): string {
  const t = beijing(date);
  return `${t.y}-${pad(t.mo + 1)}-${pad(t.d)} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
}

/** `20170101`: QuerySendDetails' `SendDate` (the Beijing calendar day). */
export function formatBeijingDay(date: Date): string {
  const t = beijing(date);
  return `${t.y}${pad(t.mo + 1)}${pad(t.d)}`;
}

/** `Thu, 25 Nov 2021 10:25:33 +0800`: international receipts and QueryMessage. */
export function formatGlobeDate(date: Date): string {
  const t = beijing(date);
  return `${DAYS[t.wd]}, ${pad(t.d)} ${MONTHS[t.mo]} ${t.y} ${pad(t.h)}:${pad(t.mi)}:${pad(t.s)} +0800`;
}

/** Midnight (Beijing) starting the `yyyyMMdd` day, or undefined when it is not a real date. */
export function parseBeijingDay(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new Date(Date.UTC(y, mo - 1, d) - BEIJING_OFFSET_MS);
  return formatBeijingDay(start) === value ? start : undefined;
}
