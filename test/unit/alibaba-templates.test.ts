// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} is the template registry's slot syntax, not a JS template
import { describe, expect, it } from 'vitest';
import { checkSms, createTemplateLookup } from '../../shared/alibaba/check.ts';
import { createAlibabaProvider } from '../../shared/alibaba/client.ts';
import {
  alibabaTemplateSchema,
  mainlandParams,
  parseAlibabaTemplate,
  renderInternational,
  slotsOf,
} from '../../shared/alibaba/templates.ts';

const demo = {
  mainland: { templateCode: 'SMS_154950909', signName: '阿里云短信测试', params: ['code'] },
  international: {
    text: 'Your sms-relay code is ${1}. It expires in 5 minutes.',
    from: 'SMSRelay',
  },
};

const registry: Record<string, unknown> = {
  'demo-otp': demo,
  'mainland-only': { mainland: { templateCode: 'SMS_1', signName: 's', params: ['a', 'b'] } },
  'intl-only': { international: { text: 'Hi ${1}, ${2}' } },
  broken: { mainland: { templateCode: 'NOT_A_CODE', signName: '', params: [] } },
};

const provider = createAlibabaProvider({
  credentials: {
    get: async () => ({ accessKeyId: 'id', accessKeySecret: 's' }),
    refresh: async () => ({ accessKeyId: 'id', accessKeySecret: 's' }),
  },
  dispatcher: {
    dispatch() {
      throw new Error('check must not do I/O');
    },
  },
  headersTimeoutMs: 1_000,
  bodyTimeoutMs: 1_000,
  template: (id) => registry[id],
});

describe('the template registry slice', () => {
  it('accepts the shipped demo-otp shape, and either half alone', () => {
    expect(alibabaTemplateSchema.safeParse(demo).success).toBe(true);
    expect(alibabaTemplateSchema.safeParse(registry['mainland-only']).success).toBe(true);
    expect(alibabaTemplateSchema.safeParse(registry['intl-only']).success).toBe(true);
  });

  it.each([
    ['neither half', {}],
    [
      'a TemplateCode not of the form SMS_<digits>',
      { mainland: { ...demo.mainland, templateCode: 'x' } },
    ],
    ['an empty sign name', { mainland: { ...demo.mainland, signName: '' } }],
    ['a repeated variable name', { mainland: { ...demo.mainland, params: ['code', 'code'] } }],
    ['slots with a gap', { international: { text: 'a ${1} ${3}' } }],
    ['a slot numbered 0', { international: { text: 'a ${0}' } }],
    ['a sender id of 12 letters', { international: { text: 'x', from: 'ABCDEFGHIJKL' } }],
    ['a sender id of 16 digits', { international: { text: 'x', from: '1234567890123456' } }],
    ['a sender id with a space', { international: { text: 'x', from: 'SMS Relay' } }],
    ['an unknown field (a typo)', { mainland: demo.mainland, internatonal: demo.international }],
  ])('refuses %s', (_why, slice) => {
    expect(alibabaTemplateSchema.safeParse(slice).success).toBe(false);
  });

  it('accepts sender ids of up to 11 letters and digits or up to 15 digits', () => {
    for (const from of ['SMSRelay', 'Alicloud321', 'A', '123456789012345']) {
      expect(alibabaTemplateSchema.safeParse({ international: { text: 'x', from } }).success).toBe(
        true,
      );
    }
  });

  it('names the template and the fields of a broken slice, as a configuration fault', () => {
    expect(() => parseAlibabaTemplate('broken', registry.broken)).toThrow(
      expect.objectContaining({
        code: 'configuration_invalid',
        message: expect.stringContaining('template broken'),
      }),
    );
  });
});

describe('template rendering', () => {
  it('turns positional templateParas into named TemplateParam values', () => {
    expect(mainlandParams(demo.mainland, ['012345'])).toEqual({ code: '012345' });
    expect(() => mainlandParams(demo.mainland, [])).toThrow(RangeError);
  });

  it('renders ${n} slots locally, in one pass', () => {
    expect(renderInternational(demo.international, ['123456'])).toBe(
      'Your sms-relay code is 123456. It expires in 5 minutes.',
    );
    // A value that looks like a slot stays literal.
    expect(renderInternational({ text: '${1} and ${2}' }, ['${2}', 'b'])).toBe('${2} and b');
    expect(renderInternational({ text: '${1}${1}' }, ['x'])).toBe('xx');
    expect(slotsOf('${2} ${1} ${2}')).toEqual([1, 2]);
    expect(() => renderInternational(demo.international, ['1', '2'])).toThrow(RangeError);
  });
});

describe('free-text slots (SendMessageToGlobe approves nothing)', () => {
  const lookup = createTemplateLookup(
    (id) =>
      ({
        code: { international: { text: 'Code ${1}', patterns: ['^[0-9]{4,8}$'] } },
        free: { international: { text: 'Hi ${1}' } },
      })[id],
  );

  it('holds a slot to its registry pattern', () => {
    expect(
      checkSms(lookup, { to: ['+6591234567'], templateId: 'code', templateParas: ['123456'] }, 'x'),
    ).toEqual([]);
    expect(
      checkSms(
        lookup,
        {
          to: ['+6591234567'],
          templateId: 'code',
          templateParas: ['000000. Your bank account is locked'],
        },
        'x',
      ),
    ).toEqual([{ path: 'x.templateParas[0]', message: 'must match ^[0-9]{4,8}$' }]);
  });

  it('refuses a link in a slot without a pattern, as Alibaba refuses one in a mainland template', () => {
    for (const value of [
      'verify at https://evil.example/login',
      'go to www.evil.example',
      'evil.com now',
    ]) {
      expect(
        checkSms(lookup, { to: ['+6591234567'], templateId: 'free', templateParas: [value] }, 'x'),
      ).toEqual([{ path: 'x.templateParas[0]', message: 'must not contain a link' }]);
    }
    expect(
      checkSms(lookup, { to: ['+6591234567'], templateId: 'free', templateParas: ['Ana'] }, 'x'),
    ).toEqual([]);
  });

  it('refuses a registry entry with a pattern count that does not match its slots', () => {
    expect(
      alibabaTemplateSchema.safeParse({ international: { text: 'A ${1} ${2}', patterns: ['^a$'] } })
        .success,
    ).toBe(false);
    expect(
      alibabaTemplateSchema.safeParse({ international: { text: 'A ${1}', patterns: ['('] } })
        .success,
    ).toBe(false);
  });
});

describe('check', () => {
  it('passes a template the registry maps for every number it is sent to', () => {
    expect(
      provider.check(
        { to: ['+8613800138000', '+6591234567'], templateId: 'demo-otp', templateParas: ['1'] },
        'x',
      ),
    ).toEqual([]);
  });

  it('refuses a template that is not in the registry', () => {
    expect(provider.check({ to: ['+6591234567'], templateId: 'nope' }, 'messages[2]')).toEqual([
      {
        path: 'messages[2].templateId',
        message: expect.stringContaining('nope'),
        code: 'template_not_available',
      },
    ]);
  });

  it('refuses a template without the half a number needs: +86 mainland, others international', () => {
    expect(
      provider.check(
        { to: ['+6591234567'], templateId: 'mainland-only', templateParas: ['a', 'b'] },
        'p',
      ),
    ).toEqual([expect.objectContaining({ path: 'p.templateId', code: 'template_not_available' })]);
    expect(
      provider.check(
        { to: ['+8613800138000'], templateId: 'intl-only', templateParas: ['a', 'b'] },
        'p',
      ),
    ).toEqual([expect.objectContaining({ path: 'p.templateId', code: 'template_not_available' })]);
    expect(
      provider.check(
        { to: ['+8613800138000'], templateId: 'mainland-only', templateParas: ['a', 'b'] },
        'p',
      ),
    ).toEqual([]);
  });

  it('refuses a wrong number of parameters at templateParas', () => {
    expect(
      provider.check(
        { to: ['+8613800138000'], templateId: 'mainland-only', templateParas: ['a'] },
        'p',
      ),
    ).toEqual([
      { path: 'p.templateParas', message: expect.stringMatching(/takes 2 parameters.*got 1/) },
    ]);
    expect(provider.check({ to: ['+6591234567'], templateId: 'intl-only' }, 'p')).toEqual([
      { path: 'p.templateParas', message: expect.stringMatching(/takes 2 parameters.*got 0/) },
    ]);
  });
});
