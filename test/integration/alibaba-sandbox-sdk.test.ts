/**
 * Alibaba's official Node SDK (tests only, never bundled) against the Alibaba sandbox: if the SDK
 * can send and query through it, the sandbox is no stricter than Alibaba about ACS3 and shapes.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as dysms2017 from '@alicloud/dysmsapi20170525';
import * as dysms2018 from '@alicloud/dysmsapi20180501';
import { Config } from '@alicloud/openapi-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AlibabaSandbox,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  startAlibabaSandbox,
} from '../../sandbox/alibaba/server.ts';

/** Under native ESM the client class is `module.default.default` (the SDK's default-export bug). */
// biome-ignore lint/suspicious/noExplicitAny: the SDK's CJS interop shape is what is being unwrapped
function clientClass(module: any): new (config: Config) => any {
  return module.default?.default ?? module.default;
}

let sandbox: AlibabaSandbox;
// biome-ignore lint/suspicious/noExplicitAny: SDK clients
let mainland: any;
// biome-ignore lint/suspicious/noExplicitAny: SDK clients
let globe: any;

beforeAll(async () => {
  sandbox = await startAlibabaSandbox({ deliveryDelayMs: 20 });
  const config = () =>
    new Config({
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
      endpoint: `127.0.0.1:${sandbox.port}`,
      protocol: 'HTTP',
    });
  mainland = new (clientClass(dysms2017))(config());
  globe = new (clientClass(dysms2018))(config());
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const today = () => {
  const beijing = new Date(Date.now() + 8 * 3600_000);
  return beijing.toISOString().slice(0, 10).replaceAll('-', '');
};

describe("Alibaba's SDK against the sandbox", () => {
  it('sends with SendSms (Chinese signature, template values, OutId) and finds it with QuerySendDetails', async () => {
    const sent = await mainland.sendSms(
      new dysms2017.SendSmsRequest({
        phoneNumbers: '13800138000,+8613900139000',
        signName: '阿里云短信测试',
        templateCode: 'SMS_154950909',
        templateParam: JSON.stringify({ code: '012345' }),
        outId: 'order-42 (retry)*',
      }),
    );
    expect(sent.statusCode).toBe(200);
    expect(sent.body.code).toBe('OK');
    expect(sent.body.bizId).toMatch(/^\d{18}\^0$/);
    expect(sent.body.requestId).toMatch(/^[0-9A-F-]{36}$/);

    await sandbox.idle();
    const query = await mainland.querySendDetails(
      new dysms2017.QuerySendDetailsRequest({
        phoneNumber: '13800138000',
        sendDate: today(),
        bizId: sent.body.bizId,
        pageSize: 10,
        currentPage: 1,
      }),
    );
    expect(query.body.code).toBe('OK');
    expect(query.body.totalCount).toBe('1');
    const [detail] = query.body.smsSendDetailDTOs.smsSendDetailDTO;
    expect(detail).toMatchObject({
      phoneNum: '13800138000',
      sendStatus: 3,
      errCode: 'DELIVERED',
      templateCode: 'SMS_154950909',
      outId: 'order-42 (retry)*',
    });
  });

  it('sends per-number signatures and values with SendBatchSms (form body)', async () => {
    const sent = await mainland.sendBatchSms(
      new dysms2017.SendBatchSmsRequest({
        phoneNumberJson: JSON.stringify(['13800138000', '13900139000']),
        signNameJson: JSON.stringify(['阿里云', '阿里巴巴']),
        templateCode: 'SMS_154950909',
        templateParamJson: JSON.stringify([{ code: '1111' }, { code: '2222' }]),
      }),
    );
    expect(sent.body.code).toBe('OK');
    expect(sent.body.bizId).toMatch(/^\d{18}\^0$/);
    expect([...sandbox.messages.values()].map((m) => m.signName)).toEqual(['阿里云', '阿里巴巴']);
  });

  it('reports a business refusal as HTTP 200 with the code (the SDK does not throw)', async () => {
    const sent = await mainland.sendSms(
      new dysms2017.SendSmsRequest({
        phoneNumbers: '13800138000',
        signName: 'Test',
        templateCode: 'SMS_1',
        templateParam: '{"code":1234}',
      }),
    );
    expect(sent.statusCode).toBe(200);
    expect(sent.body.code).toBe('isv.INVALID_JSON_PARAM');
  });

  it('sends with SendMessageToGlobe and reads it back with QueryMessage', async () => {
    const sent = await globe.sendMessageToGlobe(
      new dysms2018.SendMessageToGlobeRequest({
        to: '6591234567',
        message: "Your code is 123456 *do not share* (valid 5 min) ~ ok! it's",
        from: 'Alicloud321',
        type: 'OTP',
        taskId: 'task-1',
        validityPeriod: 300,
      }),
    );
    expect(sent.body).toMatchObject({
      responseCode: 'OK',
      to: '6591234567',
      from: 'Alicloud321',
      segments: '1',
      numberDetail: { country: 'Singapore' },
    });
    await sandbox.idle();
    const query = await globe.queryMessage(
      new dysms2018.QueryMessageRequest({ messageId: sent.body.messageId }),
    );
    expect(query.body).toMatchObject({
      responseCode: 'OK',
      messageId: sent.body.messageId,
      status: '1',
      errorCode: 'DELIVERED',
      to: '6591234567',
      message: "Your code is 123456 *do not share* (valid 5 min) ~ ok! it's",
    });
    expect(query.body.sendDate).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0800$/);
  });

  it('sends with BatchSendMessageToGlobe, one id per accepted number in order', async () => {
    const sent = await globe.batchSendMessageToGlobe(
      new dysms2018.BatchSendMessageToGlobeRequest({
        to: JSON.stringify(['6591234567', '85291234567']),
        message: JSON.stringify(['Hello A', 'Hello B']),
        from: 'Alicloud321',
        type: 'NOTIFY',
        taskId: 'campaign-7',
      }),
    );
    expect(sent.body).toMatchObject({ responseCode: 'OK', successCount: '2', failedList: '[]' });
    const ids = JSON.parse(sent.body.messageIdList) as string[];
    expect(ids.map((id) => sandbox.messages.get(id)?.number)).toEqual([
      '6591234567',
      '85291234567',
    ]);
  });

  it('surfaces gateway errors as the SDK expects (code, HTTP status)', async () => {
    const config = new Config({
      accessKeyId: SANDBOX_ACCESS_KEY_ID,
      accessKeySecret: 'wrong-secret',
      endpoint: `127.0.0.1:${sandbox.port}`,
      protocol: 'HTTP',
    });
    const wrong = new (clientClass(dysms2017))(config);
    const error = await wrong
      .sendSms(
        new dysms2017.SendSmsRequest({
          phoneNumbers: '13800138000',
          signName: 'Test',
          templateCode: 'SMS_1',
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
  });
});

describe('npm run sandbox -- --provider alibaba', () => {
  it('starts the Alibaba sandbox, prints its URL and the built-in key, and stops on SIGTERM', async () => {
    const cli = new URL('../../sandbox/cli.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, [cli, '--provider', 'alibaba', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const listening = new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const url = /Alibaba sandbox listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (url && out.includes('Receipts:')) resolve(url);
      });
    });
    try {
      const url = await listening;
      const config = new Config({
        accessKeyId: SANDBOX_ACCESS_KEY_ID,
        accessKeySecret: SANDBOX_ACCESS_KEY_SECRET,
        endpoint: new URL(url).host,
        protocol: 'HTTP',
      });
      const client = new (clientClass(dysms2018))(config);
      const sent = await client.sendMessageToGlobe(
        new dysms2018.SendMessageToGlobeRequest({ to: '6591234567', message: 'hi' }),
      );
      expect(sent.body.responseCode).toBe('OK');
      expect(out).toContain(`AccessKey ID: ${SANDBOX_ACCESS_KEY_ID}`);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
