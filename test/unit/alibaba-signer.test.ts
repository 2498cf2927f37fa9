import { describe, expect, it } from 'vitest';
import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  formatAcsDate,
  formBody,
  percentEncode,
  sha256Hex,
  stringToSign,
} from '../../shared/alibaba/canonical.ts';
import { signAcs3 } from '../../shared/alibaba/signer.ts';
import vectors from '../fixtures/vectors/alibaba-acs3.json' with { type: 'json' };

type Vector = (typeof vectors.vectors)[number];

function signVector(vector: Vector) {
  const { input } = vector;
  const extra: Record<string, string> = { ...input.additionalSignedHeaders };
  const contentType = extra['content-type'];
  delete extra['content-type'];
  // The STS headers come from the security token, as the SDK adds them.
  delete extra['x-acs-accesskey-id'];
  delete extra['x-acs-security-token'];
  return signAcs3({
    method: input.method,
    host: input.host,
    action: vector.api.action,
    version: vector.api.version,
    query: input.queryParams,
    body:
      input.formBodyParams && contentType
        ? { contentType, bytes: formBody(input.formBodyParams) }
        : undefined,
    accessKeyId: input.accessKeyId,
    accessKeySecret: input.accessKeySecret,
    securityToken: input.securityToken ?? undefined,
    date: new Date(input.xAcsDate),
    nonce: input.xAcsSignatureNonce,
    extraSignedHeaders: extra,
  });
}

/** The query as a server reads it: decoded names and values. */
function decodedQuery(target: string): Record<string, string> {
  const query = target.slice(target.indexOf('?') + 1);
  return Object.fromEntries(
    query.split('&').map((pair) => {
      const [name, value] = pair.split('=') as [string, string];
      return [decodeURIComponent(name), decodeURIComponent(value)];
    }),
  );
}

describe('ACS3-HMAC-SHA256 signer, against the official SDK captures', () => {
  for (const vector of vectors.vectors) {
    describe(vector.id, () => {
      const signed = signVector(vector);
      const { expected } = vector;

      it('produces every intermediate string the SDK signed', () => {
        expect(signed.hashedPayload).toBe(expected.hashedRequestPayload);
        expect(signed.canonicalQueryString).toBe(expected.canonicalQueryString);
        expect(signed.canonicalHeaders).toBe(expected.canonicalHeaders);
        expect(signed.signedHeaders).toBe(expected.signedHeaders);
        expect(signed.canonicalRequest).toBe(expected.canonicalRequest);
        expect(signed.stringToSign).toBe(expected.stringToSign);
        expect(signed.signature).toBe(expected.signature);
        expect(signed.authorization).toBe(expected.authorization);
      });

      it('sends every header the SDK sent, byte for byte (user-agent aside)', () => {
        const sent = Object.fromEntries(
          Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
        );
        const { 'user-agent': _ua, ...wanted } = Object.fromEntries(
          Object.entries(expected.wire.headers).map(([name, value]) => [name.toLowerCase(), value]),
        );
        expect(sent).toEqual(wanted);
      });

      it('sends the body bytes the SDK sent', () => {
        expect(signed.body).toBe(expected.wire.body);
      });

      it('puts on the wire exactly the canonical query it signed', () => {
        expect(`POST ${signed.path}`).toBe(`POST /?${expected.canonicalQueryString}`);
        // Where the SDK's wire differs (it leaves * ( ) ! ~ raw), a server decodes the same params.
        const sdkTarget = expected.wire.requestTarget.slice('POST '.length);
        expect(decodedQuery(signed.path)).toEqual(decodedQuery(sdkTarget));
        expect(decodedQuery(signed.path)).toEqual(vector.input.queryParams);
      });
    });
  }

  it('differs from the SDK wire only where the SDK leaves !*() raw', () => {
    const differing = vectors.vectors
      .filter((v) => v.expected.wire.requestTarget !== `POST /?${v.expected.canonicalQueryString}`)
      .map((v) => v.id);
    expect(differing).toEqual(['v3min_SendMessageToGlobe_intl']);
  });

  it('reproduces the official documentation example', () => {
    for (const example of vectors.officialDocExamples) {
      const { input, expected } = example;
      const signed = signAcs3({
        method: input.method,
        host: input.host,
        action: input.action,
        version: input.version,
        query: input.queryParams,
        accessKeyId: input.accessKeyId,
        accessKeySecret: input.accessKeySecret,
        date: new Date(input.xAcsDate),
        nonce: input.xAcsSignatureNonce,
      });
      expect(signed.hashedPayload).toBe(expected.hashedRequestPayload);
      expect(signed.canonicalRequest).toBe(expected.canonicalRequest);
      expect(signed.stringToSign).toBe(expected.stringToSign);
      expect(signed.signature).toBe(expected.signature);
      expect(signed.authorization).toBe(expected.authorization);
    }
  });
});

describe('ACS3 canonical forms', () => {
  it.each(vectors.percentEncodingCases)('percent-encodes %j as %s (RFC 3986)', (raw, encoded) => {
    expect(percentEncode(raw as string)).toBe(encoded);
  });

  it('keeps only unreserved characters and encodes the rest as uppercase UTF-8', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode('a b+c*d')).toBe('a%20b%2Bc%2Ad');
    expect(percentEncode('é')).toBe('%C3%A9');
    // A lone surrogate is sent as U+FFFD, like its UTF-8 bytes would be, instead of throwing.
    expect(percentEncode('\ud800')).toBe('%EF%BF%BD');
  });

  it('sorts parameters by name and keeps empty values as name=', () => {
    expect(canonicalQueryString({ b: '2', A: '1', a: '', c: 'x y' })).toBe('A=1&a=&b=2&c=x%20y');
    expect(canonicalQueryString({})).toBe('');
  });

  it('signs host, content-type and x-acs-* only, lower-cased, trimmed, sorted', () => {
    expect(
      canonicalHeaders({
        'X-Acs-Date': ' 2025-01-15T08:00:00Z ',
        Host: 'h',
        'user-agent': 'ua',
        accept: 'application/json',
        'Content-Type': 'text/plain',
      }),
    ).toEqual({
      canonicalHeaders: 'content-type:text/plain\nhost:h\nx-acs-date:2025-01-15T08:00:00Z\n',
      signedHeaders: 'content-type;host;x-acs-date',
    });
  });

  it('puts a blank line between the headers and the signed header names', () => {
    const request = canonicalRequest({
      method: 'post',
      canonicalQueryString: 'a=1',
      canonicalHeaders: 'host:h\n',
      signedHeaders: 'host',
      hashedPayload: vectors.emptyBodySha256,
    });
    expect(request).toBe(`POST\n/\na=1\nhost:h\n\nhost\n${vectors.emptyBodySha256}`);
    expect(stringToSign(request)).toBe(`ACS3-HMAC-SHA256\n${sha256Hex(request)}`);
  });

  it('hashes an empty body to the well-known SHA-256', () => {
    expect(sha256Hex('')).toBe(vectors.emptyBodySha256);
  });

  it('drops milliseconds from x-acs-date', () => {
    expect(formatAcsDate(new Date('2025-01-15T08:00:00.987Z'))).toBe('2025-01-15T08:00:00Z');
  });

  it('sends no query string marker when there are no parameters', () => {
    const signed = signAcs3({
      method: 'POST',
      host: 'h',
      action: 'A',
      version: 'v',
      query: {},
      accessKeyId: 'id',
      accessKeySecret: 's',
      date: new Date(0),
      nonce: 'n',
    });
    expect(signed.path).toBe('/');
    expect(signed.headers).not.toHaveProperty('content-type');
    expect(signed.signedHeaders).not.toContain('accept');
  });
});
