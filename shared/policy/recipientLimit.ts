import { ConfigError } from '../errors.ts';

/** `SMS_RECIPIENT_LIMIT`: at most `count` messages accepted per number per `windowSeconds`. */
export interface RecipientLimit {
  count: number;
  windowSeconds: number;
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * Parses `N/<window>` (`10/1h`, `5/30m`, `100/1d`, `3/90` seconds) or `off` (undefined: no
 * limit). A window of more than 31 days would outlive any sane retention: refused.
 */
export function parseRecipientLimit(value: string): RecipientLimit | undefined {
  if (value.trim() === 'off') return undefined;
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,7})\s*([smhd]?)\s*$/.exec(value);
  const count = Number(m?.[1]);
  const windowSeconds = Number(m?.[2]) * (UNITS[m?.[3] ?? ''] ?? Number.NaN);
  if (!m || count < 1 || !(windowSeconds >= 1 && windowSeconds <= 31 * 86_400)) {
    throw new ConfigError(
      `invalid configuration: SMS_RECIPIENT_LIMIT ${JSON.stringify(value)} must look like 10/1h (N/<seconds|m|h|d>, a window up to 31d) or off`,
    );
  }
  return { count, windowSeconds };
}

/** The fixed window a moment falls in: its start (epoch seconds) and the seconds left in it. */
export function windowOf(
  limit: RecipientLimit,
  nowMs: number,
): { start: number; leftSeconds: number } {
  const now = Math.floor(nowMs / 1000);
  const start = now - (now % limit.windowSeconds);
  return { start, leftSeconds: start + limit.windowSeconds - now };
}
