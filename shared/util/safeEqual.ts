import { timingSafeEqual } from 'node:crypto';

/** Compares two strings in time that depends only on their lengths, never on where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Still spend one comparison so a length mismatch is not measurably faster than a content one.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
