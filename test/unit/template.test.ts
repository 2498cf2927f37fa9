import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The CloudFormation template `serverless package --stage ci` writes (what .ci/run packages): the
 * alarms, their topic and the dashboard are in it, and they read the metrics the code emits
 * (names and dimension sets as test/integration/metrics.test.ts sees them printed).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const NAMESPACE = 'SmsRelay';

/** Every metric the code emits, with its dimension sets (service is on every one). */
const EMITTED: Record<string, string[][]> = {
  MessagesSubmitted: [
    ['service', 'provider', 'status'],
    ['service', 'country'],
  ],
  ProviderErrors: [['service', 'provider', 'code']],
  ReportsIngested: [['service', 'provider']],
  ReportsRefused: [['service', 'reason']],
  DeliveryLatency: [
    ['service', 'provider', 'status'],
    ['service', 'status'],
  ],
  ReconcileOutcomes: [['service', 'outcome']],
};

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface MetricRef {
  Namespace: string;
  MetricName: string;
  Dimensions: Array<{ Name: string; Value: unknown }>;
}

/** The environment without a namespace of its own: the template's default is under test. */
function withoutNamespace(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { POWERTOOLS_METRICS_NAMESPACE: _namespace, ...rest } = env;
  return rest;
}

let dir: string;
let resources: Record<string, Resource>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sms-relay-template-'));
  // Offline, as .ci/run does it (osls makes no AWS call to package); into a directory of its own
  // so .serverless/ is left alone.
  await promisify(execFile)(
    join(ROOT, 'node_modules/.bin/serverless'),
    ['package', '--stage', 'ci', '--package', dir],
    {
      cwd: ROOT,
      env: {
        ...withoutNamespace(process.env),
        AWS_ACCESS_KEY_ID: 'dummy',
        AWS_SECRET_ACCESS_KEY: 'dummy',
        AWS_REGION: 'ap-southeast-1',
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
      },
      timeout: 170_000,
    },
  );
  const template = JSON.parse(
    readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as { Resources: Record<string, Resource> };
  resources = template.Resources;
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ofType = (type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

/** The metrics an alarm reads: its own, or each of its metric math's. */
function metricsOf(alarm: Resource): MetricRef[] {
  const p = alarm.Properties as Partial<MetricRef> & {
    Metrics?: Array<{ MetricStat?: { Metric: MetricRef } }>;
  };
  if (p.Metrics) return p.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
  return [
    {
      Namespace: p.Namespace ?? '',
      MetricName: p.MetricName ?? '',
      Dimensions: p.Dimensions ?? [],
    },
  ];
}

/** The dashboard's JSON, its `${AWS::...}` pseudo parameters filled in as CloudFormation would. */
function dashboardBody(): {
  widgets: Array<{ type: string; properties: Record<string, unknown> }>;
} {
  const body = resources.Dashboard?.Properties.DashboardBody as { 'Fn::Sub': string };
  const filled = body['Fn::Sub'].replace(/\$\{AWS::(\w+)\}/g, (_, name: string) =>
    name === 'Region' ? 'ap-southeast-1' : name === 'Partition' ? 'aws' : '123456789012',
  );
  expect(filled).not.toContain('${');
  return JSON.parse(filled);
}

describe('the packaged template', () => {
  it('gives every function the metrics namespace', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(7);
    for (const [, fn] of functions) {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(NAMESPACE);
    }
  });

  it('has one SNS topic for the alarms, with nothing subscribed', () => {
    expect(resources.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
    expect(resources.AlarmTopic?.Properties).not.toHaveProperty('Subscription');
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
  });

  it('notifies the topic from every alarm, on alarm and on recovery, and treats no data as OK', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(11);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('alarms only on metrics the code emits, under the dimension sets it emits them with', () => {
    for (const [id, alarm] of ofType('AWS::CloudWatch::Alarm')) {
      for (const metric of metricsOf(alarm)) {
        if (metric.Namespace === 'AWS/Lambda') continue;
        expect(metric.Namespace, id).toBe(NAMESPACE);
        expect(EMITTED[metric.MetricName], `${id}: ${metric.MetricName}`).toContainEqual(
          metric.Dimensions.map((d) => d.Name),
        );
        expect(metric.Dimensions).toContainEqual({ Name: 'service', Value: 'sms-relay' });
      }
    }
  });

  it('alarms on a falling delivery rate over an hour, with a minimum volume', () => {
    const p = resources.DeliveryFailureRateAlarm?.Properties as {
      Metrics: Array<{
        Id: string;
        Expression?: string;
        ReturnData: boolean;
        MetricStat?: { Period: number };
      }>;
      Threshold: number;
    };
    const returned = p.Metrics.filter((m) => m.ReturnData);
    expect(returned).toHaveLength(1);
    expect(returned[0]?.Expression).toMatch(/^IF\(final >= \d+, lost \/ final, 0\)$/);
    expect(p.Metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Period] : []))).toEqual([
      3600, 3600, 3600, 3600,
    ]);
    expect(p.Threshold).toBeGreaterThan(0);
    expect(p.Threshold).toBeLessThan(1);
  });

  it('alarms on each provider being unavailable and on a spike of refused callbacks', () => {
    const dimensions = (id: string) =>
      ((resources[id]?.Properties.Dimensions ?? []) as Array<{ Name: string; Value: string }>).map(
        (d) => `${d.Name}=${d.Value}`,
      );
    for (const provider of ['huawei', 'alibaba']) {
      const id = `${provider[0]?.toUpperCase()}${provider.slice(1)}UnavailableAlarm`;
      expect(resources[id]?.Properties).toMatchObject({
        MetricName: 'ProviderErrors',
        Period: 300,
      });
      expect(dimensions(id)).toEqual([
        'service=sms-relay',
        `provider=${provider}`,
        'code=provider_unavailable',
      ]);
    }
    expect(resources.CallbackUnauthorizedAlarm?.Properties).toMatchObject({
      MetricName: 'ReportsRefused',
    });
    expect(dimensions('CallbackUnauthorizedAlarm')).toEqual([
      'service=sms-relay',
      'reason=unauthorized',
    ]);
  });

  it("alarms on every function's Lambda Errors", () => {
    const watched = ofType('AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => alarm.Properties.Namespace === 'AWS/Lambda')
      .map(([, alarm]) => {
        expect(alarm.Properties.MetricName).toBe('Errors');
        return (alarm.Properties.Dimensions as Array<{ Value: { Ref: string } }>)[0]?.Value.Ref;
      });
    expect(watched.sort()).toEqual(
      ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .sort(),
    );
  });

  it('has a dashboard with delivery latency p50 and p95, every alarm, and the main metrics', () => {
    const { widgets } = dashboardBody();
    const metrics = widgets.flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? []);
    const latency = metrics.filter((m) => m[0] === NAMESPACE && m[1] === 'DeliveryLatency');
    expect(latency.map((m) => (m.at(-1) as { stat: string }).stat)).toEqual(
      expect.arrayContaining(['p50', 'p95']),
    );
    const searched = metrics
      .map((m) => (m[0] as { expression?: string }).expression ?? '')
      .filter((e) => e.startsWith('SEARCH('));
    for (const name of [
      'MessagesSubmitted',
      'ProviderErrors',
      'ReportsIngested',
      'ReportsRefused',
      'ReconcileOutcomes',
    ])
      expect(
        searched.some((e) => e.includes(`{${NAMESPACE},`) && e.includes(`"${name}"`)),
        name,
      ).toBe(true);
    const alarmArns = widgets.find((w) => w.type === 'alarm')?.properties.alarms as string[];
    const names = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    expect(alarmArns.map((arn) => arn.split(':alarm:')[1]).sort()).toEqual(names.sort());
  });
});
