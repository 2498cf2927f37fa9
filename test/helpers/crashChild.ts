/**
 * One `POST /sms` invocation in a process of its own, for crash injection
 * (test/integration/crash.test.ts): a test can SIGKILL this process at a crash point, as Lambda
 * kills a container that runs out of memory or time, and then look at what the dead attempt left.
 *
 * Run as `node test/helpers/crashChild.ts` with the environment a deployed function would have
 * (the test points its AWS endpoints at its own DynamoDB and Secrets Manager, the provider
 * endpoint at a proxy that kills this process) and `CRASH_CHILD_REQUEST` holding the request:
 * `{"body": {...}, "idempotencyKey": "...", "remainingMs": 4000, "apiKey": "test-key"}` (or that
 * JSON as the first argument). If the invocation survives, its answer is printed as the last
 * line of stdout: `{"crashChild": {"statusCode", "headers", "body"}}`.
 */
import { apiEvent, lambdaContext } from './lambda.ts';

interface ChildRequest {
  body: unknown;
  idempotencyKey?: string;
  remainingMs?: number;
  apiKey?: string;
}

const raw = process.env.CRASH_CHILD_REQUEST ?? process.argv[2];
if (!raw) {
  process.stderr.write('crashChild: no request (CRASH_CHILD_REQUEST or the first argument)\n');
  process.exit(2);
}
const request = JSON.parse(raw) as ChildRequest;
const apiKey = request.apiKey ?? 'test-key';

// Imported after the environment is complete: the handler reads it at load time, as in Lambda.
const { handler } = await import('../../functions/sendSms.ts');

const event = apiEvent({
  body: JSON.stringify(request.body),
  headers: {
    'Content-Type': 'application/json',
    'x-api-key': apiKey,
    ...(request.idempotencyKey === undefined ? {} : { 'Idempotency-Key': request.idempotencyKey }),
  },
});
// The ledger's scope is the API key's id: the same as the test's in-process retries use.
event.requestContext.identity.apiKeyId = `${apiKey}-id`;

const result = await handler(event, lambdaContext(request.remainingMs ?? 4_000));
const answer = {
  statusCode: result.statusCode,
  headers: result.headers ?? {},
  body: JSON.parse(result.body) as unknown,
};
// Written whole before exiting: keep-alive sockets would otherwise hold the process open.
process.stdout.write(`${JSON.stringify({ crashChild: answer })}\n`, () => process.exit(0));
