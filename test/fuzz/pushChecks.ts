/**
 * What every push a parser returns must be (`shared/ports/push.ts`), checked field by field.
 * Plain checks rather than `expect`: pushes of ten thousand entries are checked thousands of times.
 */
import { MAX_PARTS, type Push } from '../../shared/ports/push.ts';

const STATUSES = new Set(['accepted', 'delivered', 'failed', 'expired']);
const OPTIONAL_TEXT = ['statusDesc', 'orgCode', 'source', 'extend', 'to'] as const;

/** Throws `message` unless `ok`. */
export function check(ok: boolean, message: string | (() => string)): asserts ok {
  if (!ok) throw new Error(typeof message === 'string' ? message : message());
}

/** An ISO 8601 instant as `toISOString` writes it (so it reads back as itself). */
export function isIsoInstant(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    Number.isFinite(Date.parse(value)) &&
    new Date(value).toISOString() === value
  );
}

const nonEmpty = (value: unknown) => typeof value === 'string' && value.length > 0;

/** Why a report breaks the port's invariants (1 ≤ sequence ≤ total ≤ 255 and the rest), if it does. */
export function reportProblem(
  report: Push['reports'][number],
  provider?: string,
): string | undefined {
  if (provider && report.provider !== provider) return `provider ${report.provider}`;
  for (const key of ['provider', 'providerMessageId', 'trackingId', 'providerStatus'] as const)
    if (!nonEmpty(report[key]))
      return `${key} ${JSON.stringify(report[key])} is not a non-empty string`;
  if (!STATUSES.has(report.status)) return `status ${report.status}`;
  const { total, sequence } = report;
  if (!Number.isInteger(total) || !Number.isInteger(sequence)) return `parts ${sequence}/${total}`;
  if (!(sequence >= 1 && sequence <= total && total <= MAX_PARTS))
    return `parts ${sequence}/${total}`;
  if (report.updatedAt !== undefined && !isIsoInstant(report.updatedAt))
    return `updatedAt ${JSON.stringify(report.updatedAt)}`;
  for (const key of OPTIONAL_TEXT)
    if (report[key] !== undefined && typeof report[key] !== 'string') return `${key} not a string`;
  return undefined;
}

/** A whole parsed push: the three lists and nothing else, every entry well-formed. */
export function checkPush(push: Push, provider: string): void {
  check(
    Object.keys(push).sort().join() === 'inbound,invalid,reports',
    () => `keys ${Object.keys(push)}`,
  );
  check(
    Array.isArray(push.reports) && Array.isArray(push.inbound) && Array.isArray(push.invalid),
    'three arrays',
  );
  for (const report of push.reports) {
    const problem = reportProblem(report, provider);
    check(problem === undefined, () => `report ${problem}: ${JSON.stringify(report)}`);
  }
  for (const message of push.inbound) {
    check(message.provider === provider, 'inbound provider');
    check(
      nonEmpty(message.providerMessageId) && nonEmpty(message.from) && nonEmpty(message.to),
      () => `inbound ids: ${JSON.stringify(message)}`,
    );
    check(typeof message.body === 'string', 'inbound body');
    check(
      message.createdAt === undefined || isIsoInstant(message.createdAt),
      () => `createdAt ${message.createdAt}`,
    );
  }
  for (const problem of push.invalid)
    check(
      typeof problem.path === 'string' && nonEmpty(problem.message),
      () => `invalid entry ${JSON.stringify(problem)}`,
    );
}
