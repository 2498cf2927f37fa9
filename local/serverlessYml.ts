import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CollectionTag,
  parse as parseYaml,
  type ScalarTag,
  type Tags,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** The repository root (where serverless.yml and package.json live). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** CloudFormation short-form intrinsics, so `yaml` parses serverless.yml (values are unused). */
const CLOUDFORMATION_TAGS: Tags = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'ImportValue',
  'Base64',
  'Cidr',
  'GetAZs',
  'Condition',
  'Transform',
  'ToJsonString',
  'Length',
].flatMap((name): Array<ScalarTag | CollectionTag> => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const tag = `!${name}`;
  const fromCollection = (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() });
  return [
    {
      tag,
      resolve: (value: string) =>
        name === 'GetAtt' ? { [key]: value.split('.', 2) } : { [key]: value },
    },
    { tag, collection: 'seq', resolve: fromCollection },
    { tag, collection: 'map', resolve: fromCollection },
  ];
});

/** serverless.yml parsed (CloudFormation tags tolerated; `${...}` variables left as text). */
export function readServerlessYml(serverlessYml = join(repoRoot, 'serverless.yml')): unknown {
  return parseYaml(readFileSync(serverlessYml, 'utf8'), { customTags: CLOUDFORMATION_TAGS });
}

/** A function served through a Lambda Function URL (`url:` set in serverless.yml). */
export interface UrlFunction {
  /** The key under `functions:` (e.g. `statusCallback`). */
  key: string;
  /** The function's timeout in milliseconds (serverless.yml `timeout`, else the provider's, else 6 s). */
  timeoutMs: number;
}

/** What the local stack needs to know about the service, read from serverless.yml. */
export interface ServiceLayout {
  service: string;
  /** DynamoDB table name the handlers get as MESSAGES_TABLE (`custom.messagesTable`). */
  messagesTable: string;
  /** The Secrets Manager secret name the handlers get as SMS_SECRET_ID (`params.default.smsSecretName`). */
  secretName: string;
  /** Every function with a Function URL, in file order. */
  urlFunctions: UrlFunction[];
}

interface ServerlessYml {
  service?: unknown;
  params?: { default?: Record<string, unknown> };
  custom?: Record<string, unknown>;
  provider?: { timeout?: unknown };
  functions?: Record<string, { url?: unknown; timeout?: unknown } | null>;
}

/**
 * Resolves the only two Serverless variables the names use (`${self:service}` and `${sls:stage}`);
 * anything else left unresolved is an error, so a name never silently differs from the one
 * serverless-offline gives the handlers.
 */
function resolveName(template: unknown, what: string, service: string, stage: string): string {
  if (typeof template !== 'string' || template === '') {
    throw new Error(`serverless.yml: ${what} is not a string`);
  }
  const values: Record<string, string> = {
    'self:service': service,
    'sls:stage': stage,
    'opt:stage': stage,
  };
  const resolved = template.replace(
    /\$\{(self:service|sls:stage|opt:stage)\}/g,
    (_, name: string) => values[name] ?? '',
  );
  const left = /\$\{[^}]*\}/.exec(resolved);
  if (left) throw new Error(`serverless.yml: ${what} uses ${left[0]}, which local/ cannot resolve`);
  return resolved;
}

function seconds(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

/** Reads the service layout from serverless.yml for `stage`. */
export function serviceLayout(
  stage: string,
  serverlessYml = join(repoRoot, 'serverless.yml'),
): ServiceLayout {
  const doc = readServerlessYml(serverlessYml) as ServerlessYml | undefined;
  const service = doc?.service;
  if (typeof service !== 'string' || service === '') {
    throw new Error('serverless.yml: `service` is missing');
  }
  const defaultTimeout = seconds(doc?.provider?.timeout) ?? 6;
  const urlFunctions = Object.entries(doc?.functions ?? {})
    .filter(([, fn]) => fn?.url !== undefined && fn.url !== false && fn.url !== null)
    .map(([key, fn]) => ({ key, timeoutMs: (seconds(fn?.timeout) ?? defaultTimeout) * 1000 }));
  return {
    service,
    messagesTable: resolveName(doc?.custom?.messagesTable, 'custom.messagesTable', service, stage),
    secretName: resolveName(
      doc?.params?.default?.smsSecretName,
      'params.default.smsSecretName',
      service,
      stage,
    ),
    urlFunctions,
  };
}
