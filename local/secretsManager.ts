import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback Secrets Manager endpoint (GetSecretValue only) for the real AWS SDK. */
export interface LocalSecretsManager {
  /** For `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  url: string;
  /** Secret strings by name; change one to simulate a rotation. */
  secrets: Map<string, string>;
  /** GetSecretValue calls served so far. */
  calls: number;
  close(): Promise<void>;
}

/** Starts the endpoint on a random loopback port (or `port`). */
export async function startLocalSecretsManager(
  secrets: Record<string, string> = {},
  port = 0,
): Promise<LocalSecretsManager> {
  const state: LocalSecretsManager = {
    url: '',
    secrets: new Map(Object.entries(secrets)),
    calls: 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, {
          __type: 'UnknownOperationException',
          message: 'only GetSecretValue is served',
        });
      }
      state.calls += 1;
      let secretId: unknown;
      try {
        secretId = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'body is not JSON' });
      }
      const value = typeof secretId === 'string' ? state.secrets.get(secretId) : undefined;
      if (typeof secretId !== 'string' || value === undefined) {
        return reply(400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      reply(200, {
        ARN: `arn:aws:secretsmanager:local:000000000000:secret:${secretId}-AbCdEf`,
        Name: secretId,
        SecretString: value,
        VersionId: randomUUID(),
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
