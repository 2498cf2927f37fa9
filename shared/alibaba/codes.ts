/**
 * Alibaba's codes, classified as providers/alibaba.md's table says. Business codes come inside
 * HTTP 200 (`Code` / `ResponseCode`), gateway codes with a 4xx/5xx; one table serves both, keyed
 * by the code without its `isv.`/`isp.` prefix because the 2018 API sends some codes bare.
 */

/** What a code means for the request that got it. */
export type CodeClass =
  /** Taken. */
  | 'accepted'
  /** Refused before anything was sent, and sending again later can work: retried. */
  | 'transient'
  /** The account or its configuration refuses the request; the recipients are fine: 502. */
  | 'account'
  /** Alibaba's clock disagrees with ours: a configuration fault, 502, logged loudly. */
  | 'clock'
  /** Alibaba's anti-abuse flow control for this number: `rate_limited` for the recipient. */
  | 'throttle'
  /** The request or its recipient is wrong: `rejected`, the other provider would refuse it too. */
  | 'recipient';

/** One code's class and meaning. */
export interface AlibabaCode {
  class: CodeClass;
  meaning: string;
  /** The credentials themselves were refused: worth one refetch (rotation). */
  auth?: true;
}

const EXACT: Record<string, AlibabaCode> = {
  OK: { class: 'accepted', meaning: 'accepted' },
  ServiceUnavailable: { class: 'transient', meaning: 'service unavailable' },
  SYSTEM_ERROR: { class: 'transient', meaning: 'Alibaba system error' },
  GATEWAY_ERROR: { class: 'transient', meaning: 'Alibaba gateway error' },
  SignatureDoesNotMatch: { class: 'account', meaning: 'signature mismatch', auth: true },
  IncompleteSignature: { class: 'account', meaning: 'incomplete signature', auth: true },
  // A nonce is never reused on purpose (each attempt is signed afresh): a signing fault.
  SignatureNonceUsed: { class: 'account', meaning: 'signature nonce already used' },
  'Forbidden.RAM': { class: 'account', meaning: 'the RAM user may not call this API' },
  RAM_PERMISSION_DENY: { class: 'account', meaning: 'RAM permission denied' },
  AMOUNT_NOT_ENOUGH: { class: 'account', meaning: 'account balance too low' },
  OUT_OF_SERVICE: { class: 'account', meaning: 'account out of service (overdue)' },
  PRODUCT_UN_SUBSCRIPT: { class: 'account', meaning: 'SMS service not activated' },
  PRODUCT_UNSUBSCRIBE: { class: 'account', meaning: 'SMS service not activated' },
  ACCOUNT_NOT_EXISTS: { class: 'account', meaning: 'account does not exist' },
  ACCOUNT_ABNORMAL: { class: 'account', meaning: 'account abnormal' },
  DAY_LIMIT_CONTROL: { class: 'account', meaning: 'daily sending limit of the account reached' },
  MONTH_LIMIT_CONTROL: {
    class: 'account',
    meaning: 'monthly sending limit of the account reached',
  },
  DENY_IP_RANGE: { class: 'account', meaning: 'sending from this IP range is not allowed' },
  SMS_SIGNATURE_ILLEGAL: { class: 'account', meaning: 'signature not approved' },
  SMS_TEMPLATE_ILLEGAL: { class: 'account', meaning: 'template not approved' },
  SIGN_STATE_ILLEGAL: { class: 'account', meaning: 'signature state invalid' },
  SMS_SIGNATURE_SCENE_ILLEGAL: { class: 'account', meaning: 'signature not allowed for this use' },
  INVALID_SENDERID: { class: 'account', meaning: 'sender id not allowed' },
  FORBIDDEN_ACTION: { class: 'account', meaning: 'action forbidden for this account' },
  SMS_CONTENT_CODE_ILLEGAL: { class: 'account', meaning: 'content code not allowed' },
  SMS_SIGN_NAME_ILLEGAL: { class: 'account', meaning: 'sign name not allowed' },
  'InvalidTimeStamp.Expired': {
    class: 'clock',
    meaning: 'request time too far from Alibaba clock',
  },
  BUSINESS_LIMIT_CONTROL: { class: 'throttle', meaning: 'flow control for this number' },
  MOBILE_NUMBER_ILLEGAL: { class: 'recipient', meaning: 'invalid mobile number' },
  MOBILE_COUNT_OVER_LIMIT: { class: 'recipient', meaning: 'too many numbers in one request' },
  INVALID_PARAMETERS: { class: 'recipient', meaning: 'invalid parameters' },
  INVALID_JSON_PARAM: { class: 'recipient', meaning: 'template parameters are not valid JSON' },
  TEMPLATE_MISSING_PARAMETERS: { class: 'recipient', meaning: 'template parameters missing' },
  CONTENT_MISSING_PARAMETERS: { class: 'recipient', meaning: 'content parameters missing' },
  PARAM_LENGTH_LIMIT: { class: 'recipient', meaning: 'a parameter is too long' },
  PARAM_NOT_SUPPORT_URL: { class: 'recipient', meaning: 'parameters may not contain URLs' },
  TEMPLATE_PARAMS_ILLEGAL: { class: 'recipient', meaning: 'template parameters not allowed' },
  EXTEND_CODE_ERROR: { class: 'recipient', meaning: 'extension code error' },
  DOMESTIC_NUMBER_NOT_SUPPORTED: {
    class: 'recipient',
    meaning: 'mainland numbers need a mainland template',
  },
  BLACK_KEY_CONTROL_LIMIT: { class: 'recipient', meaning: 'content contains blocked words' },
  SMS_CONTENT_ILLEGAL: { class: 'recipient', meaning: 'content not allowed' },
  NOT_SUPPORTED_COUNTRY: { class: 'recipient', meaning: 'destination country not supported' },
};

const FAMILIES: ReadonlyArray<[prefix: string, entry: AlibabaCode]> = [
  ['Throttling.', { class: 'transient', meaning: 'API throttled' }],
  ['InvalidAccessKeyId.', { class: 'account', meaning: 'invalid AccessKey id', auth: true }],
  ['BUSINESS_LIMIT_CONTROL_', { class: 'throttle', meaning: 'flow control for this number' }],
];

/** The code without the `isv.`/`isp.` prefix, the form the table (and the 2018 API) uses. */
export function bareCode(code: string): string {
  return code.replace(/^is[vp]\./, '');
}

/** The table entry for a code, or undefined for a code the table does not know. */
export function alibabaCode(code: string): AlibabaCode | undefined {
  const bare = bareCode(code);
  if (Object.hasOwn(EXACT, bare)) return EXACT[bare];
  if (bare === 'Throttling' || bare === 'InvalidAccessKeyId') return alibabaCode(`${bare}.`);
  return FAMILIES.find(([prefix]) => bare.startsWith(prefix))?.[1];
}
