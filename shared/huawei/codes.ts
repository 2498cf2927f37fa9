/**
 * Huawei Message & SMS result codes (providers/huawei.md, "API error codes"). `retryable` tells a
 * caller (or a later issue's retry queue) whether sending again later can succeed without changing
 * anything; it does not drive automatic retries: the transport retries only what surely did not
 * send, by transport failure and HTTP status (SPEC "Reliability").
 */
export interface HuaweiCode {
  meaning: string;
  /** An AK/SK or app-key problem: worth one refetch of the credentials (rotation). */
  auth?: true;
  retryable: boolean;
}

const TABLE: Record<string, HuaweiCode> = {
  '000000': { meaning: 'success', retryable: false },
  E000000: { meaning: 'system error (usually an unparsable request body)', retryable: false },
  E000001: { meaning: 'Authorization header missing', retryable: false },
  E000002: { meaning: 'realm missing from Authorization', retryable: false },
  E000003: { meaning: 'profile missing from Authorization', retryable: false },
  E000004: { meaning: 'realm in Authorization must be SDP', retryable: false },
  E000005: { meaning: 'profile in Authorization must be UsernameToken', retryable: false },
  E000006: { meaning: 'type in Authorization must be Appkey', retryable: false },
  E000007: { meaning: 'type missing from Authorization', retryable: false },
  E000008: { meaning: 'Authorization is not WSSE', retryable: false },
  E000020: { meaning: 'X-WSSE header missing', retryable: false },
  E000021: { meaning: 'X-WSSE Username missing', retryable: false },
  E000022: { meaning: 'X-WSSE Nonce missing', retryable: false },
  E000023: { meaning: 'X-WSSE Created missing', retryable: false },
  E000024: { meaning: 'X-WSSE PasswordDigest missing', retryable: false },
  E000025: { meaning: 'X-WSSE Created malformed', retryable: false },
  E000040: { meaning: 'wrong Content-Type', retryable: false },
  E000041: { meaning: 'X-Sdk-Date header missing', retryable: false },
  E000042: { meaning: 'X-Sdk-Date header malformed', retryable: false },
  E000045: { meaning: 'AK/SK signature verification failed', auth: true, retryable: false },
  E000101: { meaning: 'authentication failed', auth: true, retryable: false },
  E000102: { meaning: 'invalid app key', auth: true, retryable: false },
  E000103: { meaning: 'app key unavailable', retryable: false },
  E000104: { meaning: 'invalid app secret', auth: true, retryable: false },
  E000105: { meaning: 'invalid PasswordDigest', auth: true, retryable: false },
  E000106: { meaning: 'app key has no permission for this API', retryable: false },
  E000109: { meaning: 'user not activated', retryable: false },
  E000110: { meaning: 'request time out of range (check the clock)', retryable: false },
  E000111: { meaning: 'wrong user name or password', auth: true, retryable: false },
  E000112: { meaning: 'account frozen', retryable: false },
  E000503: { meaning: 'parameter format error', retryable: false },
  E000510: { meaning: 'some or all numbers failed', retryable: false },
  E000620: { meaning: 'caller IP not whitelisted for the app', retryable: false },
  E000623: { meaning: 'sending quota reached', retryable: true },
  E200025: { meaning: 'invalid number', retryable: false },
  E200015: { meaning: 'too many messages pending for this number', retryable: true },
  E200028: { meaning: 'template variables do not match the template', retryable: false },
  E200029: { meaning: 'template type check failed', retryable: false },
  E200030: { meaning: 'template not activated', retryable: false },
  E200031: { meaning: 'protocol check failed', retryable: false },
  E200033: { meaning: 'wrong template type', retryable: false },
  E200041: { meaning: 'duplicate number in the same request', retryable: false },
  'APIG.0101': { meaning: 'API not found at this address', retryable: false },
  'APIG.0201': { meaning: 'request malformed or too large', retryable: false },
  'APIG.0202': { meaning: 'gateway backend unavailable', retryable: true },
  'APIG.0308': { meaning: 'throttled by the gateway', retryable: true },
  'APIG.0301': { meaning: 'AK/SK authentication failed', auth: true, retryable: false },
  'APIG.0303': {
    meaning: 'app authentication failed (signature mismatch or expired)',
    auth: true,
    retryable: false,
  },
};

/** The table entry for a code, or undefined for a code this table does not know. */
export function huaweiCode(code: string): HuaweiCode | undefined {
  return TABLE[code];
}

/** The table entry for a code; unknown codes are described generically and not retryable. */
export function describeHuaweiCode(code: string): HuaweiCode {
  return TABLE[code] ?? { meaning: `provider code ${code}`, retryable: false };
}
