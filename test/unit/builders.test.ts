import { describe, expect, it } from 'vitest';
import { buildBatchSendDiffSms, buildBatchSendSms } from '../../shared/huawei/builders.ts';
import { akskVectors } from '../helpers/vectors.ts';

describe('batchSendSms form body', () => {
  it('matches the body Huawei signed in the known-answer vector, field for field', () => {
    const built = buildBatchSendSms({
      from: 'isms12345678',
      to: ['+6591234567', '+6598765432'],
      templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
      templateParas: ['123456', '5'],
      statusCallback: 'https://example.com/hw/sms/status',
      extend: 'req-0001',
    });
    expect(built.path).toBe('/sms/batchSendSms/v1');
    expect(built.contentType).toBe('application/x-www-form-urlencoded');
    expect(built.body).toBe(akskVectors.vectors[0]?.body);
  });

  it('sends templateParas as one JSON-array string and spells statusCallback correctly', () => {
    const form = new URLSearchParams(
      buildBatchSendSms({
        from: 'isms1',
        to: ['+6591234567'],
        templateId: 't',
        templateParas: ['007', 'a b'],
        statusCallback: 'https://cb/x?token=1',
      }).body,
    );
    expect(form.get('templateParas')).toBe('["007","a b"]');
    expect(form.get('statusCallback')).toBe('https://cb/x?token=1');
    expect(form.has('statusCallBack')).toBe(false);
  });

  it('omits optional fields that are absent or empty', () => {
    const body = buildBatchSendSms({
      from: 'f',
      to: ['+6591234567'],
      templateId: 't',
      templateParas: [],
    }).body;
    expect([...new URLSearchParams(body).keys()]).toEqual(['from', 'to', 'templateId']);
  });
});

describe('batchSendDiffSms JSON body', () => {
  it('matches the body Huawei signed in the known-answer vector', () => {
    const built = buildBatchSendDiffSms({
      from: 'isms12345678',
      statusCallback: 'https://example.com/hw/sms/status',
      extend: 'batch-0001',
      smsContent: [
        {
          to: ['+6591234567', '+6598765432'],
          templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
          templateParas: ['123456', '5'],
        },
        {
          to: ['+60123456789'],
          templateId: '9ab55eac1d0b478ab3c06c3c6a49abcd',
          templateParas: ['654321'],
        },
      ],
    });
    expect(built.path).toBe('/sms/batchSendDiffSms/v1');
    expect(built.contentType).toBe('application/json');
    expect(built.body).toBe(akskVectors.vectors[2]?.body);
  });
});
