/**
 * What the client samples of Huawei's developer guide (`../shared/reference/
 * huawei-sms-developer-guide.txt`) put on the wire, reproduced in TypeScript: Python's
 * `urlencode` and `json.dumps`, Node's `querystring`, the guide's own X-WSSE helpers, and a raw
 * `node:http` transport that sends header names exactly as the samples write them.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { format } from 'node:util';

/** Python's `urllib.parse.quote_plus`: keeps letters, digits and `_.-~`, a space becomes `+`. */
function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/** `urllib.parse.urlencode(dict)`, which `requests` also uses for `data=dict`. */
export function pythonUrlencode(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${quotePlus(name)}=${quotePlus(value)}`)
    .join('&');
}

const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** `json.dumps(value)` with its defaults: `", "` and `": "` separators, ASCII only. */
export function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([k, v]) => `${asciiJson(k)}: ${pythonJsonDumps(v)}`);
    return `{${members.join(', ')}}`;
  }
  return asciiJson(value);
}

/**
 * The Python samples' `buildWSSEHeader`, with the format string of "Sending SMSs (Example 2)"
 * (`{0}`..`{3}`). `time.strftime` formats the machine's local time and labels it `Z`: run on a
 * machine at UTC+8, as Huawei's own, `Created` is eight hours ahead, which the 24-hour window
 * absorbs. The digest is Base64 of the hex text.
 */
export function pythonWsseHeader(appKey: string, appSecret: string, utcOffsetHours = 8): string {
  const now = `${new Date(Date.now() + utcOffsetHours * 3600_000).toISOString().slice(0, 19)}Z`;
  const nonce = randomUUID().replaceAll('-', '');
  const digest = createHash('sha256')
    .update(nonce + now + appSecret)
    .digest('hex');
  const digestBase64 = Buffer.from(digest).toString('base64');
  return `UsernameToken Username="${appKey}",PasswordDigest="${digestBase64}",Nonce="${nonce}",Created="${now}"`;
}

/**
 * The Node samples' `buildWsseHeader`, line for line: 64 random bytes as the (128-character)
 * nonce, Base64 of the raw digest. In a non-Unicode RegExp `\Z` is just `Z`, so the sample's
 * pattern strips the milliseconds as intended.
 */
export function nodeWsseHeader(appKey: string, appSecret: string): string {
  const time = new Date(Date.now()).toISOString().replace(/.[0-9]+Z/, 'Z');
  const nonce = randomBytes(64).toString('hex');
  const passwordDigestBase64Str = createHash('sha256')
    .update(nonce + time + appSecret)
    .digest('base64');
  return format(
    'UsernameToken Username="%s",PasswordDigest="%s",Nonce="%s",Created="%s"',
    appKey,
    passwordDigestBase64Str,
    nonce,
    time,
  );
}

export interface GuideAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the samples print whatever JSON comes back
  body: any;
}

/**
 * POSTs as the samples' HTTP clients do: header names as given (Node sends them verbatim), and
 * without a `Content-Length` header the body goes chunked, as `https.request` + `req.write` sends
 * it. Plain HTTP because the sandbox is; the samples' `verify=False`/`rejectUnauthorized: false`
 * has nothing to switch off here.
 */
export function postRaw(
  url: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<GuideAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.write(body);
    req.end();
  });
}

/** The headers Python's `requests` adds to every request (version of the guide's environment). */
export const REQUESTS_HEADERS = {
  'User-Agent': 'python-requests/2.18.1',
  'Accept-Encoding': 'gzip, deflate',
  Accept: '*/*',
  Connection: 'keep-alive',
};

/**
 * `urllib.request`: `add_header` capitalises names (`X-WSSE` goes as `X-wsse`), and the opener
 * adds its own `User-agent`, `Content-length` and `Connection: close`.
 */
export function urllibHeaders(added: Record<string, string>, body: Buffer): Record<string, string> {
  const capitalised = Object.entries(added).map(([name, value]) => [
    name.charAt(0).toUpperCase() + name.slice(1).toLowerCase(),
    value,
  ]);
  return {
    ...Object.fromEntries(capitalised),
    'Content-length': String(body.length),
    'User-agent': 'Python-urllib/3.7',
    'Accept-Encoding': 'identity',
    Connection: 'close',
  };
}
