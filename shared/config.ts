import * as z from 'zod/mini';
import { ConfigError } from './errors.ts';
import { describeIssues } from './http/issues.ts';

export { ConfigError } from './errors.ts';

const DEFAULT_ENDPOINT = 'https://smsapi.ap-southeast-1.myhuaweicloud.com:443';
const DEFAULT_ALIBABA_ENDPOINT = 'https://dysmsapi.aliyuncs.com';
const DEFAULT_ALIBABA_INTL_ENDPOINT = 'https://dysmsapi.ap-southeast-1.aliyuncs.com';
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** An absolute URL; plain http only to this machine (the local sandbox), never across a network. */
const endpointUrl = z.string().check(
  z.refine((value) => {
    const m = /^(https?):\/\/([^/?#]+)/.exec(value);
    if (!m?.[2] || !URL.canParse(value)) return false;
    return m[1] === 'https' || LOOPBACK.test(m[2]);
  }, 'must be an https:// URL (http:// is allowed for loopback addresses only)'),
);

const blankAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const milliseconds = z.optional(
  z.string().check(z.regex(/^[1-9]\d{0,5}$/, 'must be whole milliseconds (1-999999)')),
);

const DURATION = /^[1-9]\d{0,6}[smhd]$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `15m`, `78h`, `3d` in milliseconds (the value matches DURATION). */
function durationMs(value: string): number {
  return Number(value.slice(0, -1)) * UNIT_MS[value.slice(-1) as keyof typeof UNIT_MS];
}

const duration = z
  .string()
  .check(z.regex(DURATION, 'must be a duration like 15m (a number and s, m, h or d)'));

const envSchema = z.object({
  SMS_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  HUAWEI_SMS_ENDPOINT: z._default(endpointUrl, DEFAULT_ENDPOINT),
  HUAWEI_SMS_AUTH: z._default(z.enum(['aksk', 'wsse']), 'aksk'),
  HUAWEI_SMS_WSSE_DIGEST: z._default(z.enum(['hex', 'raw']), 'hex'),
  HUAWEI_SMS_CONNECT_TIMEOUT_MS: milliseconds,
  HUAWEI_SMS_TIMEOUT_MS: milliseconds,
  ALIBABA_SMS_ENDPOINT: z._default(endpointUrl, DEFAULT_ALIBABA_ENDPOINT),
  ALIBABA_SMS_INTL_ENDPOINT: z._default(endpointUrl, DEFAULT_ALIBABA_INTL_ENDPOINT),
  ALIBABA_SMS_CONNECT_TIMEOUT_MS: milliseconds,
  ALIBABA_SMS_TIMEOUT_MS: milliseconds,
  SMS_ROUTES: z.optional(z.string()),
  SMS_RECIPIENT_LIMIT: z._default(z.string(), '10/1h'),
  SMS_ALLOWED_COUNTRIES: z._default(
    z
      .string()
      .check(
        z.regex(
          /^(\*|[A-Z]{2}(\s*,\s*[A-Z]{2})*)$/,
          'must be * or ISO 3166 alpha-2 country codes, comma-separated (SG,HK,CN)',
        ),
      ),
    '*',
  ),
  MESSAGES_TABLE: z.optional(z.string().check(z.minLength(1))),
  BATCH_CONCURRENCY: z.optional(
    z.string().check(z.regex(/^([1-9]|[1-5]\d|6[0-4])$/, 'must be a whole number from 1 to 64')),
  ),
  RETENTION_DAYS: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,3}$/, 'must be a whole number of days (1-9999)')),
  ),
  STATUS_CALLBACK_URL: z.optional(endpointUrl),
  SMS_RECONCILE_AFTER: z._default(duration, '15m'),
  SMS_FAILOVER: z._default(z.enum(['on', 'off']), 'off'),
  SMS_EXPIRE_AFTER: z._default(
    z.string().check(
      z.regex(DURATION, 'must be a duration like 78h (a number and s, m, h or d)'),
      z.refine(
        (value) => durationMs(value) >= 72 * 3_600_000,
        'must be at least 72h: Huawei reports up to 72 h after sending',
      ),
    ),
    '78h',
  ),
});

/** The service configuration, read from the environment once per container. */
export interface Config {
  /** Required by the functions that read the secret (checked where it is used). */
  secretId: string | undefined;
  huawei: {
    endpoint: string;
    auth: 'aksk' | 'wsse';
    wsseDigest: 'hex' | 'raw';
    connectTimeoutMs: number;
    /** Longest wait for Huawei's answer to one attempt. */
    timeoutMs: number;
  };
  alibaba: {
    /** API 2017-05-25 (Chinese mainland). */
    endpoint: string;
    /** API 2018-05-01 (international). */
    intlEndpoint: string;
    connectTimeoutMs: number;
    timeoutMs: number;
  };
  /**
   * `SMS_ROUTES` as set; undefined: routes follow the secret. Parsed by the sending functions'
   * router, so a bad value never stops the status callback from storing reports.
   */
  routes: string | undefined;
  /** `SMS_RECIPIENT_LIMIT` as set; parsed by the sending functions (see `routes`). */
  recipientLimit: string;
  /** `SMS_ALLOWED_COUNTRIES`: the countries numbers may belong to (mobiles only, always). */
  allowedCountries: '*' | string[];
  messagesTable: string | undefined;
  retentionDays: number;
  /** `batchSendDiffSms` requests in flight at once in one `sendBatch` call. */
  batchConcurrency: number;
  statusCallbackUrl: string | undefined;
  /** `SMS_FAILOVER` [off]: a part its provider surely did not send may go through another. */
  failover: boolean;
  /** `SMS_RECONCILE_AFTER` [15m]: a message is first reconciled, and at most as often, after this. */
  reconcileAfterMs: number;
  /** `SMS_EXPIRE_AFTER` [78h]: a message no report made final is `expired` this long after submit. */
  expireAfterMs: number;
}

/** A setting only some functions need, checked where it is used. */
export function requireSetting<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new ConfigError(`invalid configuration: ${name} is required`);
  return value;
}

/** Parses the environment (names fixed by SPEC "Configuration"); pure, so tests pass their own. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(envSchema.shape)) input[key] = blankAsUndefined(env[key]);
  const result = envSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error.issues).map((d) => `${d.path} ${d.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const v = result.data;
  return {
    secretId: v.SMS_SECRET_ID,
    huawei: {
      endpoint: v.HUAWEI_SMS_ENDPOINT,
      auth: v.HUAWEI_SMS_AUTH,
      wsseDigest: v.HUAWEI_SMS_WSSE_DIGEST,
      connectTimeoutMs: Number(v.HUAWEI_SMS_CONNECT_TIMEOUT_MS ?? 3_000),
      timeoutMs: Number(v.HUAWEI_SMS_TIMEOUT_MS ?? 10_000),
    },
    alibaba: {
      endpoint: v.ALIBABA_SMS_ENDPOINT,
      intlEndpoint: v.ALIBABA_SMS_INTL_ENDPOINT,
      // Alibaba's docs ask for at least 1 s; its gateway answers within a few hundred ms.
      connectTimeoutMs: Number(v.ALIBABA_SMS_CONNECT_TIMEOUT_MS ?? 3_000),
      timeoutMs: Number(v.ALIBABA_SMS_TIMEOUT_MS ?? 10_000),
    },
    routes: v.SMS_ROUTES,
    recipientLimit: v.SMS_RECIPIENT_LIMIT,
    allowedCountries:
      v.SMS_ALLOWED_COUNTRIES === '*'
        ? '*'
        : v.SMS_ALLOWED_COUNTRIES.split(',').map((code) => code.trim()),
    messagesTable: v.MESSAGES_TABLE,
    retentionDays: Number(v.RETENTION_DAYS ?? 90),
    batchConcurrency: Number(v.BATCH_CONCURRENCY ?? 8),
    statusCallbackUrl: v.STATUS_CALLBACK_URL,
    failover: v.SMS_FAILOVER === 'on',
    reconcileAfterMs: durationMs(v.SMS_RECONCILE_AFTER),
    expireAfterMs: durationMs(v.SMS_EXPIRE_AFTER),
  };
}
