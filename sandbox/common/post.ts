import { type Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How one POST ended: an HTTP status, or why there was none. */
export type PostResult = { status: number; text: string } | { error: string };

/** A POST on its way; `cancel()` destroys it (the result then says `cancelled`). */
export interface Posting {
  result: Promise<PostResult>;
  cancel(): void;
}

const MAX_RESPONSE_CHARS = 64 * 1024;

const URL_PARTS = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/;

/** An absolute URL's host (with port), raw path (default `/`) and raw query, exactly as written. */
export function splitUrl(url: string): { host: string; path: string; query: string } {
  const m = URL_PARTS.exec(url);
  if (!m?.[1]) throw new TypeError('expected an absolute http(s) URL');
  return { host: m[1], path: m[2] || '/', query: m[3] ?? '' };
}

/**
 * POSTs (or, with `method`, sends another request) with node:http(s), sending `Host` and the path
 * byte for byte as given (`setHost: false`, raw path from the URL), so what arrives is what was
 * signed. Never rejects.
 */
export function post(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: { agents?: { http: Agent; https: Agent }; timeoutMs: number; method?: string },
): Posting {
  let req: ClientRequest | undefined;
  let settle: (result: PostResult) => void = () => {};
  const result = new Promise<PostResult>((resolve) => {
    let done = false;
    settle = (value) => {
      if (done) return;
      done = true;
      resolve(value);
    };
  });
  try {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    if (!secure && target.protocol !== 'http:')
      throw new TypeError(`unsupported ${target.protocol}`);
    const { path, query } = splitUrl(url);
    const send = secure ? httpsRequest : httpRequest;
    req = send({
      method: options.method ?? 'POST',
      hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: target.port === '' ? (secure ? 443 : 80) : Number(target.port),
      path: query === '' ? path : `${path}?${query}`,
      // Content-Length frames the body; it is not among the signed headers.
      headers:
        body === '' && options.method === 'GET'
          ? headers
          : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      setHost: false,
      agent: (secure ? options.agents?.https : options.agents?.http) ?? false,
      timeout: options.timeoutMs,
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_RESPONSE_CHARS) text += chunk;
      });
      res.on('end', () => settle({ status: res.statusCode ?? 0, text }));
      res.on('error', () => settle({ status: res.statusCode ?? 0, text }));
    });
    req.on('timeout', () => req?.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => settle({ error: describe(error) }));
    req.end(body);
  } catch (error) {
    settle({ error: describe(error) });
  }
  return {
    result,
    cancel() {
      settle({ error: 'cancelled' });
      req?.destroy();
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}

/** `scheme://host/path` without the query (which may carry a token) and without user info. */
export function redactUrl(url: string): string {
  try {
    const { host, path } = splitUrl(url);
    return `${url.slice(0, url.indexOf(':'))}://${host}${path}`;
  } catch {
    return '(invalid URL)';
  }
}
