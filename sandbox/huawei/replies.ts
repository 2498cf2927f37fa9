import { randomUUID } from 'node:crypto';
import type { Reply } from '../common/http.ts';

export type { Reply };

/**
 * Request-level error of the SMS platform: `{"code","description"}`.
 * Huawei's tables put `E0000xx` (header format, `E000000`, `E000503`) under HTTP 400, `E0001xx`
 * (authentication) under 401 and `E000620` under 403.
 */
export function smsError(status: number, code: string, description: string): Reply {
  return { status, body: { code, description } };
}

/** Error of the API gateway in front of the platform (APIG): `{"error_code","error_msg","request_id"}`. */
export function gatewayError(status: number, errorCode: string, errorMsg: string): Reply {
  return {
    status,
    body: { error_code: errorCode, error_msg: errorMsg, request_id: newRequestId() },
  };
}

/** 32 hex characters, the shape of APIG's `request_id`. */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}

/** `E000503`, Huawei's "parameter format error"; the detail helps the developer reading it. */
export function invalidParameter(detail: string): Reply {
  return smsError(400, 'E000503', `Invalid parameter format: ${detail}`);
}

/**
 * `E000000`, "system error": what Huawei answers when it cannot parse the body (malformed JSON,
 * badly quoted `templateParas`). Its send API tables list it under HTTP 400.
 */
export function systemError(status = 400): Reply {
  return smsError(status, 'E000000', 'System error.');
}

/** APIG.0101 for an unknown path, and for a known path called with another method. */
export function notFound(knownPath: boolean): Reply {
  return gatewayError(
    404,
    'APIG.0101',
    knownPath
      ? 'The API does not exist.'
      : 'The API does not exist or has not been published in the environment',
  );
}

/** APIG.0303 (HTTP 401): every AK/SK failure of an app-authenticated API, told apart by message. */
export function appAuthError(detail: string): Reply {
  return gatewayError(401, 'APIG.0303', `Incorrect app authentication information: ${detail}`);
}
