/**
 * Generators of provider pushes for the fuzz tests: Huawei per-message reports and uplinks (form),
 * single reports and `statusReportList` batches (JSON), Alibaba receipt arrays (mainland
 * snake_case, international PascalCase), each entry valid or with one field mutated (null,
 * numbers, objects, huge strings, odd dates, `1e999`, prototype keys, duplicates), and arbitrary
 * text and JSON. Entries are lists of `[key, value]` pairs, so a key may repeat or be `__proto__`.
 */
import fc from 'fast-check';

/** JSON (or form) text inserted as it is: `1e999`, `-0`, an invalid percent-escape. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const raw = (text: string) => new Raw(text);

export type Pairs = Array<[string, unknown]>;

/** An entry of a push: its fields, and whether it is still valid (no mutation). */
export interface Entry {
  pairs: Pairs;
  valid: boolean;
  /** What was mutated, for failure messages. */
  mutation?: string;
}

/** JSON text of a value whose objects are `Pairs` (wrapped in `{ pairs }`) or plain values. */
export function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (isPairs(value)) {
    return `{${value.pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

function isPairs(value: unknown): value is { pairs: Pairs } {
  return typeof value === 'object' && value !== null && value instanceof PairsObject;
}
class PairsObject {
  readonly pairs: Pairs;
  constructor(pairs: Pairs) {
    this.pairs = pairs;
  }
}
/** An object literal in the JSON text, keys in order, repeats and `__proto__` kept. */
export const object = (pairs: Pairs) => new PairsObject(pairs);

/** Percent-encoding of the UTF-8 bytes (lone surrogates become U+FFFD, as on the wire). */
function percent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A form body: values that are not strings are written as JSON (or raw). */
export function toForm(pairs: Pairs): string {
  return pairs
    .map(([k, v]) => {
      const value =
        v instanceof Raw ? v.text : percent(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
      return `${percent(k)}=${value}`;
    })
    .join('&');
}

/** Dates of every odd kind a push may carry. */
export const oddDate = fc.constantFrom(
  '2099-02-30',
  '2026-02-30T10:00:00Z',
  '2026-11-31T10:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-11-22T25:00:00Z',
  '0000-00-00',
  '0000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-11-22 10:00:00',
  '2099-02-30 10:00:00',
  '2026-11-22T10:00:00+14:00',
  'Thu, 30 Feb 2099 10:25:33 +0800',
  'Thu, 25 Nov 2021 10:25:33 +9999',
  'Mon, 23 Nov 2026 10:00:00 +0800',
  'yesterday',
  '1e999',
  'NaN',
  '12',
  ' ',
);

/** Values that replace a field in a near-valid entry. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 256, 2 ** 53, -0, '', ' '),
  fc.integer(),
  fc.double(),
  fc.constant(object([])),
  fc.constant([]),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 101, max: 20_000 }).map((n) => 'x'.repeat(n)),
  oddDate,
  fc.constantFrom(
    '0',
    '256',
    '-1',
    '1.5',
    '1e2',
    ' 1',
    '0x10',
    'NaN',
    'Infinity',
    '001',
    '999',
    '00001',
    '\u0000',
    '\ud800',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom(raw('1e999'), raw('-1e999'), raw('1.0'), raw('0.5e1'), raw('-0'), raw('1E2')),
  fc.constantFrom(raw('9007199254740993'), raw('1e-999'), raw('[[[[[[[[[[]]]]]]]]]]')),
);

/** Prototype and unknown keys an entry may carry besides its own. */
const strayKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'x-extra',
  '',
);

/** One field mutated: replaced, removed, repeated with an odd value, or a stray key added. */
function mutate(entry: fc.Arbitrary<Pairs>): fc.Arbitrary<Entry> {
  return fc
    .tuple(
      entry,
      fc.nat(),
      fc.constantFrom('replace', 'remove', 'repeat', 'stray'),
      oddValue,
      strayKey,
    )
    .map(([pairs, at, how, value, stray]) => {
      const i = at % Math.max(1, pairs.length);
      const key = pairs[i]?.[0] ?? 'smsMsgId';
      const copy: Pairs = pairs.map(([k, v]) => [k, v]);
      if (how === 'replace') copy[i] = [key, value];
      else if (how === 'remove') copy.splice(i, 1);
      else if (how === 'repeat') copy.push([key, value]);
      else copy.push([stray, value]);
      const shown = value instanceof Raw ? value.text : JSON.stringify(value);
      return {
        pairs: copy,
        valid: false,
        mutation: `${how} ${how === 'stray' ? stray : key}: ${String(shown).slice(0, 40)}`,
      };
    });
}

/** A valid entry, or (with probability `mutated`) one with a field mutated. */
function entries(valid: fc.Arbitrary<Pairs>, mutatedWeight: number): fc.Arbitrary<Entry> {
  return fc.oneof(
    {
      weight: 10 - mutatedWeight,
      arbitrary: valid.map((pairs): Entry => ({ pairs, valid: true })),
    },
    { weight: mutatedWeight, arbitrary: mutate(valid) },
  );
}

/** Optional fields as pairs, in random order. */
function fields(
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Pairs> {
  const opt = Object.entries(optional).map(([key, arb]) =>
    fc.option(
      arb.map((v): [string, unknown] => [key, v]),
      { nil: undefined },
    ),
  );
  const req = Object.entries(required).map(([key, arb]) =>
    arb.map((v): [string, unknown] => [key, v]),
  );
  return fc
    .tuple(fc.tuple(...req), fc.tuple(...opt))
    .chain(([r, o]) =>
      fc.shuffledSubarray([...r, ...o.filter((p) => p !== undefined)], {
        minLength: r.length + o.filter((p) => p !== undefined).length,
      }),
    )
    .map((pairs) => pairs as Pairs);
}

/** The receive time `receivePush` is given in the fuzz: report times cluster around it. */
export const FUZZ_NOW = new Date('2026-11-22T10:00:00.000Z');
const DAY = 86_400_000;

/** Instants from 2020 to 2030, half of them within 40 days of `FUZZ_NOW` (around the window). */
const instant = fc.oneof(
  fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-12-31T00:00:00Z'),
    noInvalidDate: true,
  }),
  fc.date({
    min: new Date(FUZZ_NOW.getTime() - 40 * DAY),
    max: new Date(FUZZ_NOW.getTime() + 3 * DAY),
    noInvalidDate: true,
  }),
);
/** As Huawei writes times (`yyyy-MM-ddTHH:mm:ssZ`). */
export const isoUtc = instant.map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
/** As the port carries them (`toISOString`). */
export const isoInstant = instant.map((d) => d.toISOString());

// ---- Huawei ----------------------------------------------------------------------------------

export const HUAWEI_STATUSES = [
  'DELIVRD',
  'UNDELIV',
  'EXPIRED',
  'ACCEPTD',
  'UNKNOWN',
  'ENROUTE',
  'PENDING',
  'REJECTD',
  'DELETED',
  'RTE_ERR',
  'MILIMIT',
  'BLACK',
  'E200027',
];

const smsMsgId = fc.oneof(
  fc.uuid().map((u) => `${u}_1`),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/),
);
/** total and sequence, as numbers or digit strings (form values are strings anyway). */
const parts = fc
  .integer({ min: 1, max: 255 })
  .chain((total) => fc.tuple(fc.constant(total), fc.integer({ min: 1, max: total })))
  .chain(([total, sequence]) =>
    fc.constantFrom<[unknown, unknown]>([total, sequence], [String(total), String(sequence)]),
  );

/** A valid Huawei status report (per message or an entry of a batch). */
export const huaweiReport: fc.Arbitrary<Pairs> = fc
  .tuple(
    fields(
      { smsMsgId, status: fc.constantFrom(...HUAWEI_STATUSES) },
      {
        updateTime: isoUtc,
        statusDesc: fc.string({ maxLength: 60 }),
        orgCode: fc.stringMatching(/^[0-9A-Z]{0,8}$/),
        source: fc.constantFrom('1', '2'),
        extend: fc.stringMatching(/^[a-z0-9-]{0,20}$/),
        to: fc.constantFrom('+6591234567', '+8613800138000'),
      },
    ),
    fc.option(parts, { nil: undefined }),
  )
  .map(([pairs, p]) => (p ? [...pairs, ['total', p[0]], ['sequence', p[1]]] : pairs) as Pairs);

/** A valid Huawei uplink (a reply from a phone). */
export const huaweiUplink: fc.Arbitrary<Pairs> = fields(
  {
    smsMsgId,
    from: fc.constantFrom('+6591234567', '6591234567', '006591234567', '+8613800138000', 'abc'),
    to: fc.constantFrom('1069000', 'isms00000001'),
    body: fc.oneof(
      fc.constantFrom('STOP', 'start', ' ＳＴＯＰ ', '退订', 'hello', ''),
      fc.string({ maxLength: 80 }),
    ),
  },
  { createTime: fc.oneof(isoUtc, oddDate) },
);

/** One generated Huawei push: Content-Type, body, and what the body holds. */
export interface HuaweiPush {
  what: string;
  contentType: string | undefined;
  body: string;
  /** The entries, when the body is made of them (a report, an uplink or a batch). */
  entries?: Entry[];
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const OTHER_TYPES = [
  undefined,
  '',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/json5',
  'application/xml',
];

/** Content types: the body's own mostly, in other spellings, sometimes another one. */
function contentType(own: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(own) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `${own}; charset=utf-8`,
        own.toUpperCase(),
        ` ${own} `,
        `${own};charset=GBK`,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_TYPES, own === FORM ? JSON_TYPE : FORM) },
  );
}

/** Random text bodies, and text that is almost a form or almost JSON. */
const garbageText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '',
    '=',
    '&&&',
    '%',
    '%zz',
    'status=%ff%fe&smsMsgId=%ed%a0%80',
    'a=1&a=2',
    '{',
    '[',
    'null',
    '"x"',
    '1e999',
    '\ufeff{}',
    '{"statusReportList":',
  ),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .anything({ maxDepth: 3, withNullPrototype: true, withMap: true, withDate: true })
    .map((v) => JSON.stringify(v) ?? ''),
);

export const huaweiPushes: fc.Arbitrary<HuaweiPush> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.tuple(entries(huaweiReport, 4), contentType(FORM)).map(([e, ct]) => ({
      what: 'form report',
      contentType: ct,
      body: toForm(e.pairs),
      entries: [e],
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(entries(huaweiUplink, 4), contentType(FORM)).map(([e, ct]) => ({
      what: 'form uplink',
      contentType: ct,
      body: toForm(e.pairs),
      entries: [e],
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(entries(huaweiReport, 4), contentType(JSON_TYPE)).map(([e, ct]) => ({
      what: 'JSON report',
      contentType: ct,
      body: toJson(object(e.pairs)),
      entries: [e],
    })),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.array(entries(huaweiReport, 2), { maxLength: 20 }),
        contentType(JSON_TYPE),
        fc.option(fc.tuple(strayKey, oddValue), { nil: undefined }),
      )
      .map(([list, ct, extra]) => ({
        what: 'JSON batch',
        contentType: ct,
        body: toJson(
          object([
            ...(extra ? [extra] : []),
            ['statusReportList', list.map((e) => object(e.pairs))],
          ]),
        ),
        entries: list,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(oddValue, fc.array(oddValue, { maxLength: 5 })), contentType(JSON_TYPE))
      .map(([list, ct]) => ({
        what: 'JSON batch of junk',
        contentType: ct,
        body: toJson(object([['statusReportList', list]])),
      })),
  },
  {
    // Over the bound of one push: refused whole.
    weight: 1,
    arbitrary: fc.integer({ min: 490, max: 520 }).map((n) => ({
      what: 'JSON batch at the bound',
      contentType: JSON_TYPE,
      body: JSON.stringify({
        statusReportList: Array.from({ length: n }, (_, i) => ({
          smsMsgId: `m${i}`,
          status: 'DELIVRD',
        })),
      }),
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(garbageText, fc.constantFrom(...OTHER_TYPES, FORM, JSON_TYPE))
      .map(([body, ct]) => ({ what: 'garbage', contentType: ct, body })),
  },
);

// ---- Alibaba ---------------------------------------------------------------------------------

const beijingTime = instant.map((d) =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' '),
);
const rfc2822 = instant.map((d) => d.toUTCString().replace('GMT', '+0000'));

/** A valid mainland (2017 API) receipt. */
export const mainlandReceipt: fc.Arbitrary<Pairs> = fields(
  {
    phone_number: fc.constantFrom(
      '13800138000',
      '8613800138000',
      '+8613800138000',
      '008613800138000',
    ),
    biz_id: fc.stringMatching(/^\d{6,18}\^\d$/),
    success: fc.constantFrom(true, false, 'true', 'false'),
  },
  {
    err_code: fc.oneof(
      fc.constantFrom('DELIVERED', 'EXPIRED', 'MK:0001', 'IC:0015'),
      fc.constant(null),
    ),
    err_msg: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null)),
    send_time: beijingTime,
    report_time: fc.oneof(beijingTime, fc.constant(null)),
    sms_size: fc.constantFrom('1', 1, '2', null),
    out_id: fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constant(null)),
  },
);

/** A valid international (2018 API) receipt. */
export const internationalReceipt: fc.Arbitrary<Pairs> = fields(
  {
    MessageId: fc.stringMatching(/^\d{10,20}$/),
    Status: fc.constantFrom('1', '2', '3', '6', 1, 2, 3, 6),
  },
  {
    To: fc.constantFrom('6591234567', '85291234567', null),
    ErrorCode: fc.oneof(fc.constantFrom('DELIVERED', 'Delivered', 'UNDELIV'), fc.constant(null)),
    ErrorDescription: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(null)),
    SendDate: rfc2822,
    ReceiveDate: fc.oneof(rfc2822, fc.constant(null)),
    TaskId: fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.constant(null)),
    SmsSize: fc.constantFrom('1', 1, null),
  },
);

/** One generated Alibaba push body, and its entries when it is an array of them. */
export interface AlibabaPush {
  what: string;
  body: string;
  entries?: Entry[];
}

const alibabaEntry = fc.oneof(
  { weight: 5, arbitrary: entries(mainlandReceipt, 2) },
  { weight: 5, arbitrary: entries(internationalReceipt, 2) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        oddValue,
        fc.constant(object([['foo', 1]])),
        fc.constant(object([['__proto__', object([['biz_id', 'x']])]])),
      )
      .map(
        (value): Entry => ({
          pairs: [['(not an entry)', value]],
          valid: false,
          mutation: 'junk entry',
        }),
      ),
  },
);

/** The JSON of an Alibaba entry (junk entries are their value alone). */
function alibabaEntryJson(entry: Entry): unknown {
  const [first] = entry.pairs;
  return first?.[0] === '(not an entry)' ? first[1] : object(entry.pairs);
}

export const alibabaPushes: fc.Arbitrary<AlibabaPush> = fc.oneof(
  {
    weight: 80,
    arbitrary: fc.array(alibabaEntry, { maxLength: 20 }).map((list) => ({
      what: 'receipts',
      body: toJson(list.map(alibabaEntryJson)),
      entries: list,
    })),
  },
  {
    weight: 10,
    arbitrary: fc
      .oneof(
        oddValue.filter((v) => !Array.isArray(v)),
        fc.constant(
          object([
            ['phone_number', '13800138000'],
            ['biz_id', '1^0'],
            ['success', true],
          ]),
        ),
      )
      .map((value) => ({ what: 'not an array', body: toJson(value) })),
  },
  {
    // Ten thousand entries read (about 0.1 s), or one more refused whole: rare.
    weight: 1,
    arbitrary: fc.integer({ min: 9_999, max: 10_001 }).map((n) => ({
      what: 'receipts at the bound',
      body: `[${Array.from({ length: n }, () => '{}').join(',')}]`,
    })),
  },
  { weight: 20, arbitrary: garbageText.map((body) => ({ what: 'garbage', body })) },
);

/** For a push of `entries`: the entries index paths of `invalid` name, and those left unnamed. */
export function namedIndexes(
  invalid: ReadonlyArray<{ path: string }>,
  prefix: RegExp,
): Set<number> {
  const named = new Set<number>();
  for (const { path } of invalid) {
    const m = prefix.exec(path);
    if (m?.[1] !== undefined) named.add(Number(m[1]));
  }
  return named;
}

export { FORM, JSON_TYPE };
