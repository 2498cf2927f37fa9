import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  type AlibabaSandbox,
  SANDBOX_ACCESS_KEY_ID,
  SANDBOX_ACCESS_KEY_SECRET,
  startAlibabaSandbox,
} from '../sandbox/alibaba/server.ts';
import {
  LOCAL_APP_KEY,
  LOCAL_APP_SECRET,
  LOCAL_SENDER,
  type Sandbox,
  startSandbox,
} from '../sandbox/huawei/server.ts';
import { appCallbackUrl } from '../shared/huawei/callbackAuth.ts';
import { createMessagesTable, startDynalite } from './dynamo.ts';
import { type LocalFunctionUrl, startFunctionUrl } from './functionUrl.ts';
import { maskLine } from './maskLine.ts';
import {
  type Offline,
  type OfflineExit,
  type OfflineInvoker,
  type OfflineReady,
  offlineInvoker,
  startOffline,
} from './offline.ts';
import { freePort } from './ports.ts';
import { type LocalSecretsManager, startLocalSecretsManager } from './secretsManager.ts';
import { serviceLayout } from './serverlessYml.ts';

/**
 * The whole service on this machine (SPEC "Local development: two commands"): dynalite with the
 * messages table of serverless.yml, a Secrets Manager endpoint holding the provider secret, the
 * Huawei and Alibaba sandboxes (or real endpoints), serverless-offline running the real handlers with the
 * AWS SDK pointed at those endpoints, and a local Function URL for every `url:` function, run
 * inside offline too (through its Lambda Invoke endpoint). `local/start.ts` is the CLI around it.
 */

/** The serverless.yml stage the local stack runs (table `<service>-local-messages`, etc.). */
export const LOCAL_STAGE = 'local';

/** The pushing key the sandbox signs its delivery reports with (fake by design, like the app's). */
export const LOCAL_PUSH_AK = 'sandbox-push-ak';
export const LOCAL_PUSH_SK = 'sandbox-push-sk';

/** Credentials of a real Huawei application (`HUAWEI_SMS_*` variables). */
export interface RealHuawei {
  endpoint: string;
  appKey: string;
  appSecret: string;
  sender: string;
  /** Pushing keys, AK to SK; without any, the callback URL carries a token instead. */
  pushKeys?: Record<string, string>;
  /** The callback URL Huawei should push to (one that reaches the local callback server). */
  statusCallbackUrl?: string;
}

/** Credentials of a real Alibaba Cloud account (`ALIBABA_SMS_*` variables). */
export interface RealAlibaba {
  /** API 2017-05-25 (Chinese mainland). */
  endpoint: string;
  /** API 2018-05-01 (international). */
  intlEndpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The receipt URL's token (Alibaba's console gets the full URL); default: a random one. */
  receiptToken?: string;
}

export interface LocalStackOptions {
  /** The API's port (`PORT`). */
  httpPort: number;
  /** Send to this real Huawei application instead of the sandbox. */
  huawei?: RealHuawei;
  /** Send to this real Alibaba account instead of its sandbox. */
  alibaba?: RealAlibaba;
  /** Sandbox: delay before a number is delivered. Default 1000 ms. */
  deliveryDelayMs?: number;
  /**
   * How often the stack runs `reconcile` through offline, as EventBridge Scheduler does in the
   * cloud [60 s]; 0: never on its own (call `reconcile()`).
   */
  reconcileEveryMs?: number;
  /** Port of the local statusCallback Function URL. Default: a free one. */
  callbackPort?: number;
  /** Diagnostics (sandbox, offline after startup, callback errors). Default: nothing. */
  log?: (line: string) => void;
  /** offline's output while starting (shown on failure in any case). Default: not shown. */
  logStartup?: boolean;
  /** Aborting it stops a startup in progress (Ctrl-C while starting). */
  signal?: AbortSignal;
}

export interface LocalStack {
  apiBaseUrl: string;
  apiKey: string;
  /**
   * The application's status callback URL (SPEC: replies and app-level batch reports; with the
   * application token in token mode). Each send gives Huawei its own URL on the same base.
   */
  statusCallbackUrl: string;
  /** Where Alibaba pushes receipts (statusCallback's `/alibaba`, with the receipt token). */
  alibabaReceiptUrl: string;
  /** Every Function URL served locally, by function key. */
  functionUrls: Record<string, string>;
  /** The sandbox, when no real Huawei endpoint is used. */
  sandbox: Sandbox | undefined;
  /** The Alibaba sandbox, when no real Alibaba endpoint is used. */
  alibabaSandbox: AlibabaSandbox | undefined;
  /** serverless-offline's process id (leader of its own process group). */
  offlinePid: number;
  /** Resolves if serverless-offline exits (for any reason, stop() included). */
  offlineExited: Promise<OfflineExit>;
  /** serverless-offline's last lines of output. */
  recentOutput(): string[];
  /** Runs `reconcile` once now, inside offline; resolves to its result. */
  reconcile(): Promise<unknown>;
  /** Stops everything; idempotent. */
  stop(): Promise<void>;
}

/** Startup failed; `details` holds what explains it (offline's last lines). */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
  readonly details: string[];
  constructor(message: string, details: string[] = []) {
    super(message);
    this.details = details;
  }
}

/** Throws a clear error when `port` cannot be listened on at 127.0.0.1. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LocalStackError(
      code === 'EADDRINUSE'
        ? `${what} ${port} is already in use on 127.0.0.1 (another \`npm start\`?); ` +
            `stop it or choose another port`
        : `cannot listen on 127.0.0.1:${port} for ${what}: ${(err as Error).message}`,
    );
  } finally {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}

/** The environment serverless-offline (and through it every handler) runs with. */
function offlineEnvironment(settings: {
  dynamoEndpoint: string;
  secretsUrl: string;
  huaweiEndpoint: string;
  alibabaEndpoint: string;
  alibabaIntlEndpoint: string;
  statusCallbackUrl: string;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Never the machine's real AWS identity: everything AWS is local.
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) delete env[name];
  return Object.assign(env, {
    // offline copies every AWS_* variable into the handlers' environment.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamoEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: settings.secretsUrl,
    // Read by serverless.yml (${env:...}) when offline resolves the configuration.
    HUAWEI_SMS_ENDPOINT: settings.huaweiEndpoint,
    ALIBABA_SMS_ENDPOINT: settings.alibabaEndpoint,
    ALIBABA_SMS_INTL_ENDPOINT: settings.alibabaIntlEndpoint,
    STATUS_CALLBACK_URL: settings.statusCallbackUrl,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  });
}

async function expectStatus(
  what: string,
  url: string,
  init: RequestInit,
  accept: (status: number) => boolean,
  hint: string,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
  } catch (err) {
    throw new LocalStackError(`${what}: ${url} did not answer (${(err as Error).message})`);
  }
  const body = await res.text();
  if (!accept(res.status)) {
    throw new LocalStackError(
      `${what}: ${url} answered ${res.status} ${body.slice(0, 300)}; ${hint}`,
    );
  }
}

/** Starts the local stack; on failure everything started so far is stopped again. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const layout = serviceLayout(LOCAL_STAGE);
  const cleanups: Array<() => Promise<unknown>> = [];
  let offline: Offline | undefined;
  const stopAll = async () => {
    // Offline first, so nothing runs a handler against servers that are going away.
    if (offline) await offline.stop();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };

  const onAbort = () => void offline?.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => {
    if (options.signal?.aborted) throw new LocalStackError('startup interrupted');
  };
  try {
    checkpoint();
    await assertPortFree(options.httpPort, 'PORT');
    if (options.callbackPort) await assertPortFree(options.callbackPort, 'CALLBACK_PORT');

    const dynamo = await startDynalite();
    cleanups.push(() => dynamo.close());
    await createMessagesTable(dynamo.endpoint, layout.messagesTable);
    checkpoint();

    let sandbox: Sandbox | undefined;
    const huawei = options.huawei;
    if (!huawei) {
      sandbox = await startSandbox({
        deliveryDelayMs: options.deliveryDelayMs ?? 1000,
        pushKey: { ak: LOCAL_PUSH_AK, sk: LOCAL_PUSH_SK },
        log: (line) => log(`[sandbox] ${line}`),
      });
      const running = sandbox;
      cleanups.push(() => running.close());
    }
    const huaweiSecret = huawei
      ? {
          appKey: huawei.appKey,
          appSecret: huawei.appSecret,
          sender: huawei.sender,
          ...(huawei.pushKeys && Object.keys(huawei.pushKeys).length > 0
            ? { pushKeys: huawei.pushKeys }
            : {}),
        }
      : {
          appKey: LOCAL_APP_KEY,
          appSecret: LOCAL_APP_SECRET,
          sender: LOCAL_SENDER,
          // The sandbox signs its pushes: statusCallback checks them as it would Huawei's.
          pushKeys: { [LOCAL_PUSH_AK]: LOCAL_PUSH_SK },
        };
    const alibaba = options.alibaba;
    // Alibaba does not sign receipts: the URL's token is all that authenticates them.
    const receiptToken = alibaba?.receiptToken ?? randomBytes(24).toString('base64url');
    const secret = {
      huawei: huaweiSecret,
      alibaba: {
        accessKeyId: alibaba?.accessKeyId ?? SANDBOX_ACCESS_KEY_ID,
        accessKeySecret: alibaba?.accessKeySecret ?? SANDBOX_ACCESS_KEY_SECRET,
        receiptToken,
      },
    };
    const secrets: LocalSecretsManager = await startLocalSecretsManager({
      [layout.secretName]: JSON.stringify(secret),
    });
    cleanups.push(() => secrets.close());

    // Function URLs: serverless-offline has no route for them. Each is a local HTTP server that
    // turns requests into Function URL events and runs the function inside offline (its Lambda
    // Invoke endpoint), so the callback runs bundled, with offline's environment, like the rest.
    let offlineReady: Promise<OfflineReady> | undefined;
    let invoker: OfflineInvoker | undefined;
    const functionUrls: Record<string, string> = {};
    for (const fn of layout.urlFunctions) {
      const fallbackName = `${layout.service}-${LOCAL_STAGE}-${fn.key}`;
      const server: LocalFunctionUrl = await startFunctionUrl(
        async (event) => {
          if (!offlineReady) throw new Error('serverless-offline is not started');
          const { functionNames } = await offlineReady;
          const name = functionNames.get(fn.key) ?? fallbackName;
          try {
            if (!invoker) throw new Error('serverless-offline is not started');
            return (await invoker.invoke(
              name,
              event,
              fn.timeoutMs + 5_000,
            )) as APIGatewayProxyStructuredResultV2;
          } catch (err) {
            log(`[${fn.key}] ${(err as Error).message}`);
            throw err;
          }
        },
        {
          functionName: fallbackName,
          // offline enforces the function's own timeout; this only catches a stuck invoke.
          timeoutMs: fn.timeoutMs + 5_000,
          ...(fn.key === 'statusCallback' && options.callbackPort
            ? { port: options.callbackPort }
            : {}),
        },
      );
      cleanups.push(() => server.close());
      functionUrls[fn.key] = server.url;
    }
    const localCallback = functionUrls.statusCallback;
    if (!localCallback) {
      throw new LocalStackError('serverless.yml has no statusCallback function with `url:`');
    }
    const statusCallbackUrl = huawei?.statusCallbackUrl ?? localCallback;
    const receiptUrl = new URL('alibaba', localCallback);
    receiptUrl.searchParams.set('token', receiptToken);
    const alibabaReceiptUrl = receiptUrl.toString();

    let alibabaSandbox: AlibabaSandbox | undefined;
    if (!alibaba) {
      alibabaSandbox = await startAlibabaSandbox({
        deliveryDelayMs: options.deliveryDelayMs ?? 1000,
        receiptUrl: alibabaReceiptUrl,
        log: (line) => log(`[alibaba-sandbox] ${line}`),
      });
      const running = alibabaSandbox;
      cleanups.push(() => running.close());
    }

    checkpoint();
    // Picked once every server of this process listens, so none of them can take one (the three
    // listen at the same time, so they differ too).
    const [lambda, websocketPort, albPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
    ]);
    const invokes = offlineInvoker(lambda);
    invoker = invokes;
    cleanups.push(() => invokes.close());
    let started = false;
    offline = startOffline({
      stage: LOCAL_STAGE,
      httpPort: options.httpPort,
      lambdaPort: lambda,
      websocketPort,
      albPort,
      env: offlineEnvironment({
        dynamoEndpoint: dynamo.endpoint,
        secretsUrl: secrets.url,
        huaweiEndpoint: huawei?.endpoint ?? (sandbox as Sandbox).url,
        // The sandbox serves both API versions on one port (told apart by x-acs-version).
        alibabaEndpoint: alibaba?.endpoint ?? (alibabaSandbox as AlibabaSandbox).url,
        alibabaIntlEndpoint: alibaba?.intlEndpoint ?? (alibabaSandbox as AlibabaSandbox).url,
        statusCallbackUrl,
      }),
      onLine: (line) => {
        // offline logs each request's path (`GET /opt-outs/+6591234567`): no whole number in
        // the output, as in the handlers' own logs.
        if (line !== '' && (options.logStartup || started)) log(`[offline] ${maskLine(line)}`);
      },
    });
    offlineReady = offline.ready;
    const ready = await offline.ready;
    checkpoint();
    if (!ready.apiKey) {
      throw new LocalStackError(
        'serverless-offline printed no API key (does serverless.yml give apiKeys a value?)',
      );
    }

    // Ready means answering: the API with the key (a well-formed unknown id: 404 from getMessage
    // reading DynamoDB), and every Function URL through offline's Invoke endpoint (GET: no side
    // effects; anything but 502 proves the function ran).
    const headers = { 'x-api-key': ready.apiKey };
    await Promise.all([
      expectStatus(
        'API check',
        `${ready.apiBaseUrl}/sms/${randomUUID()}`,
        { headers },
        (status) => status === 404,
        'expected 404 for an unknown message',
      ),
      ...Object.entries(functionUrls).map(([key, url]) =>
        expectStatus(
          `${key} check`,
          url,
          {},
          (status) => status !== 502,
          'the function could not be run through serverless-offline',
        ),
      ),
    ]);
    checkpoint();
    started = true;
    options.signal?.removeEventListener('abort', onAbort);

    // Scheduled functions: offline has no scheduler, so the stack invokes reconcile itself.
    const reconcileName =
      ready.functionNames.get('reconcile') ?? `${layout.service}-${LOCAL_STAGE}-reconcile`;
    const reconcile = () => invokes.invoke(reconcileName, {}, 125_000);
    const every = options.reconcileEveryMs ?? 60_000;
    if (every > 0) {
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        running ??= reconcile()
          .catch((err: unknown) => log(`[reconcile] ${(err as Error).message}`))
          .finally(() => {
            running = undefined;
          });
      }, every);
      timer.unref();
      cleanups.push(async () => {
        clearInterval(timer);
        await running;
      });
    }

    const running = offline;
    return {
      apiBaseUrl: ready.apiBaseUrl,
      apiKey: ready.apiKey,
      // The application's URL (replies, app-level reports): in token mode it carries the
      // application token; per-request URLs are the handlers' business.
      statusCallbackUrl: appCallbackUrl(statusCallbackUrl, huaweiSecret) ?? statusCallbackUrl,
      alibabaReceiptUrl,
      functionUrls,
      sandbox,
      alibabaSandbox,
      offlinePid: running.pid,
      offlineExited: running.exited,
      recentOutput: () => running.recentOutput(),
      reconcile,
      stop: (() => {
        let stopped: Promise<void> | undefined;
        return () => {
          stopped ??= stopAll();
          return stopped;
        };
      })(),
    };
  } catch (err) {
    options.signal?.removeEventListener('abort', onAbort);
    const details = offline?.recentOutput() ?? [];
    await stopAll();
    if (options.signal?.aborted) throw new LocalStackError('startup interrupted');
    if (err instanceof LocalStackError && err.details.length > 0) throw err;
    throw new LocalStackError(err instanceof Error ? err.message : String(err), details);
  }
}
