/**
 * Generators of `POST /sms` and `POST /sms/batch` requests for the fuzz tests: arbitrary JSON,
 * arbitrary values serialised, random text and bytes, huge and deep values, and near-valid bodies
 * (a valid body with one field or one byte sequence mutated). Each case says what the answer must
 * be where that is certain (`valid`: 202; `invalid`: 400/413/415), or `either`.
 */
import fc from 'fast-check';

export type Expectation = 'valid' | 'invalid' | 'either';

/** One generated request. */
export interface ApiCase {
  /** What kind of case this is (for the distribution and for failure messages). */
  what: string;
  body: string | null;
  isBase64Encoded: boolean;
  headers: Record<string, string>;
  expect: Expectation;
}

/** A body before it becomes bytes: a value to serialise, or JSON text as it is. */
interface Draft {
  what: string;
  value?: unknown;
  text?: string;
  expect: Expectation;
}

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));

/**
 * Mobiles every provider route takes (checked against libphonenumber's metadata), none of them a
 * sandbox magic number (those are all `+6590…`).
 */
export const mobile = fc.oneof(
  { weight: 5, arbitrary: digits(6).map((d) => `+6591${d}`) },
  { weight: 2, arbitrary: digits(6).map((d) => `+6598${d}`) },
  { weight: 2, arbitrary: digits(6).map((d) => `+6581${d}`) },
  { weight: 1, arbitrary: digits(8).map((d) => `+86138${d}`) },
  { weight: 1, arbitrary: digits(4).map((d) => `+1415555${d}`) },
);

/**
 * Prefixes of numbers that must never reach a provider, valid E.164 or not: premium rate,
 * satellite, international networks, freephone, landlines (SPEC "Abuse controls").
 */
export const NEVER_SENT_PREFIXES = [
  '+979',
  '+881',
  '+882',
  '+883',
  '+800',
  '+808',
  '+870',
  '+1900',
  '+4490',
  '+442',
  '+656',
  '+65800',
];

/** Numbers of those kinds: known valid ones and generated ones (valid or not). */
export const notMobile = fc.oneof(
  fc.constantFrom(
    '+979123456789',
    '+881612345678',
    '+80012345678',
    '+80812345678',
    '+870773111632',
    '+19002345678',
    '+449012345678',
    '+442079460000',
    '+6561234567',
    '+6580012345678',
  ),
  digits(9).map((d) => `+979${d}`),
  digits(9).map((d) => `+881${d}`),
  digits(8).map((d) => `+882${d}`),
  digits(8).map((d) => `+883${d}`),
  digits(8).map((d) => `+800${d}`),
  digits(7).map((d) => `+1900${d}`),
  digits(8).map((d) => `+4490${d}`),
  digits(7).map((d) => `+656${d}`),
);

/** Strings that are never a valid E.164 number. */
export const malformedNumber = fc.constantFrom(
  '',
  '+',
  '6591234567',
  '006591234567',
  '+65 9123 4567',
  '+65-9123-4567',
  '+65912345ab',
  '+6512345',
  '+6591234567890123',
  '+0591234567',
  '++6591234567',
  ' +6591234567',
  '+6591234567 ',
  '+6591234567\n',
  '\uff0b\uff16\uff15\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17',
  '+\u0666\u0665\u0669\u0661\u0662\u0663\u0664\u0665\u0666\u0667',
  '+6591234567,+6598765432',
  'tel:+6591234567',
  '+65\u20089123\u00a04567',
  '+6591234567\u0000',
  '+65\ud8009123456',
  '+6591234567\u200b',
  '+9'.repeat(40),
);

/** Text that may or may not be a number (a random `+` and digits can be a valid mobile). */
const maybeNumber = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 20 }).chain((n) => digits(n).map((d) => `+${d}`)),
);

/** JSON values that are not strings, of every kind. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, 6591234567, 0, -1, 1e308),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

/** Recipients: 1-4 distinct mobiles, as a list or (sometimes) a single string. */
const recipients = fc
  .uniqueArray(mobile, { minLength: 1, maxLength: 4 })
  .chain((list) =>
    list.length === 1
      ? fc.constantFrom<string | string[]>(list, list[0] as string)
      : fc.constant(list),
  );

/** `count` distinct mobiles (sequential, cheap to make in bulk). */
export function manyNumbers(count: number, prefix = '+6591'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
}

const SAFE_TEXT = /^[0-9A-Za-z .:,!?@#%&()*+=/_-]{1,24}$/;
const templateParam = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(SAFE_TEXT) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('验证码', 'héllo wörld', '😀 ok', '١٢٣', 'x'.repeat(500), 'a b'),
  },
);
const templateId = fc.oneof(
  fc.constantFrom('8ff55eac1d0b478ab3c06c3c6a492300', 'demo-otp'),
  fc.stringMatching(/^[\x21-\x7e]{1,32}$/),
);
const reference = fc.oneof(
  fc.stringMatching(/^[0-9A-Za-z .:,!?@#%&()*+=/_-]{1,40}$/),
  fc.constantFrom('order-42', '日本語の参照', 'r'.repeat(128)),
);
const signature = fc.oneof(
  fc.stringMatching(/^[0-9A-Za-z -]{1,30}$/),
  fc.constantFrom('【华为云】', 'x'.repeat(100)),
);

/** The template fields a body (or a batch group) may carry, valid. */
const templateFields = fc.record(
  {
    templateId,
    templateParas: fc.array(templateParam, { maxLength: 20 }),
    signature,
  },
  { requiredKeys: ['templateId'] },
);

/** A valid `POST /sms` body. */
export const validSmsBody = fc
  .tuple(recipients, templateFields, fc.option(reference, { nil: undefined }))
  .map(([to, fields, ref]) => ({
    to,
    ...fields,
    ...(ref === undefined ? {} : { reference: ref }),
  }));

/** A valid batch group, and a valid `POST /sms/batch` body (1-3 small groups). */
const validGroup = fc.tuple(recipients, templateFields).map(([to, fields]) => ({ to, ...fields }));
export const validBatchBody = fc
  .tuple(
    fc.array(validGroup, { minLength: 1, maxLength: 3 }),
    fc.option(reference, { nil: undefined }),
  )
  .map(([messages, ref]) => ({ messages, ...(ref === undefined ? {} : { reference: ref }) }));

/** Values a text field (templateParas[i], reference, signature) must refuse. */
const badText = fc.oneof(
  fc.constantFrom(
    '',
    'with {',
    'with }',
    '{}',
    '$\u{7b}1}', // ${1}, a template placeholder
    "it's",
    'nul \u0000',
    'tab\there',
    'line\nbreak',
    'bell \u0007',
    'del \u007f',
    'c1 \u0085',
    'c1 \u009b',
    'lone \ud800',
    'lone \udfff',
    'reversed \udc00\ud800',
    'replacement \ufffd',
  ),
  fc.integer({ min: 0, max: 31 }).map((c) => `ctl ${String.fromCharCode(c)}`),
);

/** Values `signature` must refuse (braces and quotes are fine there). */
const badSignature = fc.oneof(
  fc.constantFrom(
    '',
    'nul \u0000',
    'tab\there',
    'line\nbreak',
    'c1 \u0085',
    'lone \ud800',
    'replacement \ufffd',
    's'.repeat(101),
  ),
  fc.integer({ min: 0, max: 31 }).map((c) => `ctl ${String.fromCharCode(c)}`),
  notAString,
);

/** Values `reference` must refuse (quotes are fine there, braces are not). */
export const badReference = fc.oneof(
  fc.constantFrom(
    '',
    'with {',
    'with }',
    '{}',
    '$\u{7b}1}', // ${1}, a template placeholder
    'nul \u0000',
    'line\nbreak',
    'c1 \u009b',
    'lone \ud800',
    'replacement \ufffd',
    'r'.repeat(129),
  ),
  fc.integer({ min: 0, max: 31 }).map((c) => `ctl ${String.fromCharCode(c)}`),
  notAString,
);

/** Values `templateId` must refuse. */
const badTemplateId = fc.oneof(
  fc.constantFrom('', 'a'.repeat(33), 'abc def', 'tpl\u0000', 'modèle', 'tab\t', '😀'),
  notAString,
);

type Body = Record<string, unknown>;
type Mutation = fc.Arbitrary<{ what: string; body: Body; expect: Expectation }>;

/** Field mutations shared by `POST /sms` bodies and batch groups (`path` says where it is). */
function fieldMutations(base: fc.Arbitrary<Body>, path: string, single: boolean): Mutation[] {
  const set = (what: string, key: string, value: fc.Arbitrary<unknown>, expect: Expectation) =>
    fc.tuple(base, value).map(([body, v]) => ({
      what: `${path}${key} ${what}`,
      body: { ...body, [key]: v },
      expect,
    }));
  const without = (key: string) =>
    base.map((body) => {
      const { [key]: _gone, ...rest } = body;
      return { what: `${path}no ${key}`, body: rest, expect: 'invalid' as Expectation };
    });
  const listOf = (body: Body) => (Array.isArray(body.to) ? body.to : [body.to]) as string[];
  const insert = (what: string, value: fc.Arbitrary<unknown>, expect: Expectation) =>
    fc.tuple(base, value, fc.nat()).map(([body, v, at]) => {
      const list: unknown[] = [...listOf(body)];
      list.splice(at % (list.length + 1), 0, v);
      return { what: `${path}to ${what}`, body: { ...body, to: list }, expect };
    });
  return [
    // Recipients.
    set('malformed alone', 'to', malformedNumber, 'invalid'),
    // Alone, a refused number is a 400 for POST /sms and a rejected entry in a batch group.
    set('not a mobile alone', 'to', notMobile, single ? 'invalid' : 'either'),
    set('random alone', 'to', maybeNumber, 'either'),
    set('not a string', 'to', notAString, 'invalid'),
    set('empty list', 'to', fc.constant([]), 'invalid'),
    insert('with a malformed number', malformedNumber, 'invalid'),
    insert('with a number that is not a mobile', notMobile, 'either'),
    insert('with a random number', maybeNumber, 'either'),
    insert('with a non-string', notAString, 'invalid'),
    base.map((body) => {
      const list = listOf(body);
      return {
        what: `${path}to with a duplicate`,
        body: { ...body, to: [...list, list[0]] },
        expect: 'invalid' as Expectation,
      };
    }),
    without('to'),
    // Template fields.
    without('templateId'),
    set('invalid', 'templateId', badTemplateId, 'invalid'),
    set(
      'not an array',
      'templateParas',
      fc.oneof(
        fc.string(),
        notAString.filter((v) => !Array.isArray(v)),
      ),
      'invalid',
    ),
    set(
      'too many',
      'templateParas',
      fc.integer({ min: 21, max: 200 }).map((n) => Array(n).fill('1')),
      'invalid',
    ),
    fc
      .tuple(base, fc.oneof(badText, notAString, fc.constant('y'.repeat(501))), fc.nat())
      .map(([body, bad, at]) => {
        // At most 19 good ones, so the bad one is never the 21st (refused for the count alone).
        const paras = Array.isArray(body.templateParas) ? body.templateParas.slice(0, 19) : [];
        paras.splice(at % (paras.length + 1), 0, bad);
        return {
          what: `${path}templateParas with a bad value`,
          body: { ...body, templateParas: paras },
          expect: 'invalid' as Expectation,
        };
      }),
    set('invalid', 'signature', badSignature, 'invalid'),
    // Unknown fields, prototype keys among them.
    set('misspelt', 'templateParams', fc.constant(['1']), 'invalid'),
    fc
      .tuple(
        base,
        fc.constantFrom(
          'constructor',
          'prototype',
          'toString',
          'hasOwnProperty',
          'valueOf',
          'admin',
          'to ',
        ),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([body, key, value]) => ({
        what: `${path}an unknown field`,
        body: { ...body, [key]: value },
        expect: 'invalid' as Expectation,
      })),
  ];
}

const reshape = (body: { [key: string]: unknown }): Body => body;

/** Near-valid `POST /sms` bodies: one field mutated. */
function smsMutations(): Mutation[] {
  const base = validSmsBody.map(reshape);
  return [
    ...fieldMutations(base, '', true),
    fc.tuple(base, fc.integer({ min: 501, max: 520 })).map(([body, n]) => ({
      what: 'to over 500',
      body: { ...body, to: manyNumbers(n) },
      expect: 'invalid' as Expectation,
    })),
    fc.tuple(base, badReference).map(([body, bad]) => ({
      what: 'reference invalid',
      body: { ...body, reference: bad },
      expect: 'invalid' as Expectation,
    })),
  ];
}

/** Near-valid `POST /sms/batch` bodies: one field of the body or of one group mutated. */
function batchMutations(): Mutation[] {
  const base = validBatchBody.map(reshape);
  const group = validGroup.map(reshape);
  const inGroup = fieldMutations(group, 'messages[i].', false).map((mutation) =>
    fc.tuple(base, mutation, fc.nat()).map(([body, m, at]) => {
      const groups = [...(body.messages as Body[])];
      groups.splice(at % (groups.length + 1), 0, m.body);
      return { what: m.what, body: { ...body, messages: groups }, expect: m.expect };
    }),
  );
  return [
    ...inGroup,
    base.map(({ messages: _m, ...rest }) => ({
      what: 'no messages',
      body: rest,
      expect: 'invalid' as Expectation,
    })),
    fc
      .tuple(
        base,
        fc.oneof(
          fc.constant([]),
          notAString.filter((v) => !Array.isArray(v)),
          fc.array(notAString, { minLength: 1, maxLength: 3 }),
        ),
      )
      .map(([body, bad]) => ({
        what: 'messages invalid',
        body: { ...body, messages: bad },
        expect: 'invalid' as Expectation,
      })),
    fc.tuple(base, badReference).map(([body, bad]) => ({
      what: 'reference invalid',
      body: { ...body, reference: bad },
      expect: 'invalid' as Expectation,
    })),
    fc.tuple(base, fc.jsonValue({ maxDepth: 2 })).map(([body, value]) => ({
      what: 'a group with reference',
      body: { ...body, messages: [{ ...(body.messages as Body[])[0], reference: value }] },
      expect: 'invalid' as Expectation,
    })),
  ];
}

/**
 * Batch bodies over the call's limits. Each validates ten thousand numbers (about 0.1 s), so they
 * are drawn rarely.
 */
function batchOverLimits(): Mutation[] {
  const base = validBatchBody.map(reshape);
  return [
    fc.tuple(base, fc.integer({ min: 1001, max: 1010 })).map(([body, n]) => ({
      what: 'over 1,000 groups',
      body: { ...body, messages: manyNumbers(n).map((to) => ({ to, templateId: 't' })) },
      expect: 'invalid' as Expectation,
    })),
    fc.tuple(base, fc.integer({ min: 1, max: 40 })).map(([body, extra]) => ({
      what: 'over 10,000 recipients in all',
      body: {
        ...body,
        messages: [
          { to: manyNumbers(5_000, '+6591'), templateId: 't' },
          { to: manyNumbers(5_000 + extra, '+6598'), templateId: 't' },
        ],
      },
      expect: 'invalid' as Expectation,
    })),
    base.map((body) => ({
      what: 'a group over 10,000 recipients',
      body: { ...body, messages: [{ to: manyNumbers(10_001), templateId: 't' }] },
      expect: 'invalid' as Expectation,
    })),
  ];
}

/** Keys fast-check may put in generated objects: ordinary text, field names, prototype keys. */
const anyKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'to',
    'templateId',
    'templateParas',
    'reference',
    'signature',
    'messages',
  ),
);

/** Bodies that are no SMS request at all. */
const garbage: fc.Arbitrary<Draft>[] = [
  fc
    .jsonValue({ maxDepth: 4 })
    .map((value) => ({ what: 'arbitrary JSON', value, expect: 'invalid' as Expectation })),
  fc
    .anything({
      key: anyKey,
      maxDepth: 4,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    })
    .map((value) => ({ what: 'anything serialised', value, expect: 'invalid' as Expectation })),
  fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ maxLength: 50 }),
    )
    .map((text) => ({ what: 'random text', text, expect: 'invalid' as Expectation })),
  fc
    .constantFrom(
      '',
      ' ',
      'null',
      '[]',
      '{}',
      '"text"',
      '0',
      'true',
      '{"to": [',
      '{"to":"+6591234567","templateId":"t"',
      '\ufeff{}',
      '{}{}',
      '[{"to":"+6591234567","templateId":"t"}]',
    )
    .map((text) => ({ what: 'almost JSON', text, expect: 'invalid' as Expectation })),
  fc.integer({ min: 1, max: 50_000 }).map((depth) => ({
    what: 'deeply nested',
    text: `${'['.repeat(depth)}${']'.repeat(depth)}`,
    expect: 'invalid' as Expectation,
  })),
];

const MARK = 'ZzFuzzMarkZz';

/** Turns a valid body into JSON text with a textual mutation; `raw` marks bytes to base64. */
function textMutations(
  valid: fc.Arbitrary<Body>,
  field: 'reference' | 'templateId',
): fc.Arbitrary<Draft | { what: string; bytes: Buffer; expect: Expectation }>[] {
  const json = (body: Body) => JSON.stringify(body);
  return [
    // Prototype keys as JSON text (an object literal cannot carry __proto__ as a key).
    fc
      .tuple(
        valid,
        fc.constantFrom(
          '"__proto__":{"admin":true}',
          '"__proto__":null',
          '"constructor":{"prototype":{"admin":true}}',
          '"__proto__":[]',
        ),
      )
      .map(([body, extra]) => ({
        what: 'a prototype key',
        text: `{${extra},${json(body).slice(1)}`,
        expect: 'invalid' as Expectation,
      })),
    // Duplicate keys: the last one counts.
    fc.tuple(valid, field === 'reference' ? badReference : badTemplateId).map(([body, bad]) => ({
      what: 'a duplicate key',
      text: `${json(body).slice(0, -1)},"${field}":${JSON.stringify(bad) ?? 'null'}}`,
      expect: 'invalid' as Expectation,
    })),
    // A raw lone surrogate (not escaped) inside a text field.
    fc
      .tuple(valid, fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'))
      .map(([body, lone]) => ({
        what: 'a raw lone surrogate',
        text: json({ ...body, [field]: `ref${lone}x` }),
        expect: 'invalid' as Expectation,
      })),
    // Invalid UTF-8 bytes inside a string, delivered base64 as API Gateway does.
    fc
      .tuple(
        valid,
        fc.constantFrom(
          [0xc3, 0x28],
          [0xff],
          [0xfe],
          [0x80],
          [0xc0, 0xaf],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0xe2, 0x82],
        ),
      )
      .map(([body, bad]) => {
        const [head, tail] = json({ ...body, [field]: MARK }).split(MARK) as [string, string];
        return {
          what: 'invalid UTF-8 in a string',
          bytes: Buffer.concat([Buffer.from(`${head}ok`), Buffer.from(bad), Buffer.from(tail)]),
          expect: 'invalid' as Expectation,
        };
      }),
    // Invalid UTF-8 outside strings: not JSON.
    fc.tuple(valid, fc.constantFrom([0xff], [0xc3, 0x28])).map(([body, bad]) => ({
      what: 'invalid UTF-8 between fields',
      bytes: Buffer.concat([
        Buffer.from(json(body).slice(0, -1)),
        Buffer.from(bad),
        Buffer.from('}'),
      ]),
      expect: 'invalid' as Expectation,
    })),
    // Still valid: whitespace around, or the body base64-encoded.
    fc.tuple(valid, fc.constantFrom(' ', '\n', '\r\n', '\t')).map(([body, space]) => ({
      what: 'valid with whitespace',
      text: `${space}${json(body)}${space}`,
      expect: 'valid' as Expectation,
    })),
    valid.map((body) => ({
      what: 'valid, base64',
      bytes: Buffer.from(json(body)),
      expect: 'valid' as Expectation,
    })),
  ];
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json;charset=UTF-8',
];
const OTHER_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json5',
  ' application/json',
  'application/json, text/plain',
  'text/json',
  '',
];
const HEADER_NAMES = ['Content-Type', 'content-type', 'CONTENT-TYPE', 'Content-type'];

/** Headers: mostly a JSON Content-Type; sometimes another type or none (then `415` or `413`). */
const headers = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(fc.constantFrom(...HEADER_NAMES), fc.constantFrom(...JSON_TYPES))
      .map(([name, type]) => ({ json: true, headers: { [name]: type } })),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc
        .constantFrom(...OTHER_TYPES)
        .map((type) => ({ json: false, headers: { 'Content-Type': type } })),
      fc.constant({ json: false, headers: {} }),
    ),
  },
);

/** Bodies at the size limit: padded with spaces to just under or just over `limit` bytes. */
function sizeCases(
  valid: fc.Arbitrary<Body>,
  limit: number,
): fc.Arbitrary<Draft | { what: string; bytes: Buffer; expect: Expectation }> {
  return fc.oneof(
    fc.tuple(valid, fc.integer({ min: 1, max: 64 })).map(([body, over]) => {
      const text = JSON.stringify(body);
      return {
        what: 'over the size limit',
        text: text + ' '.repeat(limit - Buffer.byteLength(text) + over),
        expect: 'invalid' as Expectation,
      };
    }),
    fc.tuple(valid, fc.integer({ min: 0, max: 64 })).map(([body, under]) => {
      const text = JSON.stringify(body);
      return {
        what: 'at the size limit',
        text: text + ' '.repeat(limit - Buffer.byteLength(text) - under),
        expect: 'valid' as Expectation,
      };
    }),
    // Base64 bodies at the limit. `bodyLimit` estimates the decoded size as 3/4 of the base64
    // length, padding included, so a body of exactly `limit` bytes ending in `=` padding is
    // refused 413 (a known defect, reported): either answer is allowed here, never a 5xx.
    fc.tuple(valid, fc.integer({ min: -3, max: 3 })).map(([body, off]) => {
      const text = JSON.stringify(body);
      return {
        what: 'base64 at the size limit',
        bytes: Buffer.from(text + ' '.repeat(limit - Buffer.byteLength(text) + off)),
        expect: 'either' as Expectation,
      };
    }),
    valid.map((body) => ({
      what: 'a huge field',
      value: { ...body, reference: 'x'.repeat(Math.floor(limit * 0.9)) },
      expect: 'invalid' as Expectation,
    })),
    valid.map((body) => ({
      what: 'huge, over the limit',
      value: { ...body, reference: 'x'.repeat(limit + 1) },
      expect: 'invalid' as Expectation,
    })),
  );
}

/** A valid body with as many recipients as one call may carry (500; a batch: 2 groups of 500). */
function atRecipientLimit(route: 'sms' | 'batch', valid: fc.Arbitrary<Body>): fc.Arbitrary<Draft> {
  return valid.map((body) => ({
    what: 'valid, many recipients',
    value:
      route === 'sms'
        ? { ...body, to: manyNumbers(500, '+6598') }
        : {
            ...body,
            messages: [
              { to: manyNumbers(300, '+6598'), templateId: 'a' },
              { to: manyNumbers(200, '+6581'), templateId: 'b' },
            ],
          },
    expect: 'valid',
  }));
}

/** Every kind of request for one route, valid ones a small fraction (they are really sent). */
export function apiCases(route: 'sms' | 'batch', limit: number): fc.Arbitrary<ApiCase> {
  const valid = (route === 'sms' ? validSmsBody : validBatchBody).map(reshape);
  const mutations = (route === 'sms' ? smsMutations() : batchMutations()).map((m) =>
    m.map(({ what, body, expect }): Draft => ({ what, value: body, expect })),
  );
  const drafts = fc.oneof(
    {
      weight: 20,
      arbitrary: valid.map((value): Draft => ({ what: 'valid', value, expect: 'valid' })),
    },
    { weight: 120, arbitrary: fc.oneof(...garbage) },
    { weight: 240, arbitrary: fc.oneof(...mutations) },
    {
      weight: 60,
      arbitrary: fc.oneof(
        ...textMutations(valid, 'reference'),
        ...textMutations(valid, 'templateId').slice(0, 4),
      ),
    },
    { weight: 20, arbitrary: sizeCases(valid, limit) },
    // Still valid at the recipient limit; rare, as each sends and records hundreds of messages.
    { weight: 1, arbitrary: atRecipientLimit(route, valid) },
    ...(route === 'batch'
      ? [
          {
            weight: 3,
            arbitrary: fc
              .oneof(...batchOverLimits())
              .map(({ what, body, expect }): Draft => ({ what, value: body, expect })),
          },
        ]
      : []),
    {
      weight: 20,
      arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({
        what: 'random bytes',
        bytes: Buffer.from(bytes),
        expect: 'invalid' as Expectation,
      })),
    },
  );
  return fc.tuple(drafts, headers).map(([draft, h]): ApiCase => {
    let body: string | null;
    let isBase64Encoded = false;
    if ('bytes' in draft) {
      body = (draft.bytes as Buffer).toString('base64');
      isBase64Encoded = true;
    } else if (draft.text !== undefined) {
      body = draft.text;
    } else {
      body = JSON.stringify(draft.value) ?? null;
    }
    // Without a JSON Content-Type nothing is valid; a body over the limit is refused first.
    const expect = h.json ? draft.expect : 'invalid';
    return {
      what: h.json ? draft.what : `${draft.what} (not JSON)`,
      body,
      isBase64Encoded,
      headers: h.headers,
      expect,
    };
  });
}

/** Payloads of a scheduled reminder (the event is the payload itself): values, not bytes. */
export function scheduledPayloads(): fc.Arbitrary<{
  what: string;
  value: unknown;
  expect: Expectation;
}> {
  const valid = validBatchBody.map(reshape);
  return fc.oneof(
    {
      weight: 2,
      arbitrary: valid.map((value) => ({ what: 'valid', value, expect: 'valid' as Expectation })),
    },
    {
      weight: 8,
      arbitrary: fc
        .oneof(...batchMutations())
        .map(({ what, body, expect }) => ({ what, value: body, expect })),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.anything({
            key: anyKey,
            maxDepth: 3,
            withNullPrototype: true,
            withMap: true,
            withDate: true,
          }),
        )
        // An object with `httpMethod` and `requestContext` would be taken for an API request.
        .filter(
          (value) =>
            !(
              typeof value === 'object' &&
              value !== null &&
              'httpMethod' in value &&
              'requestContext' in value
            ),
        )
        .map((value) => ({ what: 'arbitrary value', value, expect: 'invalid' as Expectation })),
    },
  );
}
