import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { ListRolesCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../../checks/index.ts';
import { parseConfig } from '../../core/config.ts';
import { simClientConfig } from '../../sim/clients.ts';
import { loadSampleFleet, type SimulatedCloud, startSimulatedCloud } from '../../sim/index.ts';
import { ec2Client, eksClient, guardDutyClient, iamClient, organizationsClient, ssmClient } from './clients.ts';
import { classifyAwsError } from './errors.ts';
import { createAwsCollector } from './index.ts';
import { listOrganizationAccounts } from './organizations.ts';
import { RESPONSE_SCHEMAS, UnregisteredResponseError, validateResponses } from './responses.ts';

describe('every AWS call the collector makes has a response schema', () => {
  let sim: SimulatedCloud;
  beforeAll(async () => {
    sim = await startSimulatedCloud(await loadSampleFleet());
  });
  afterAll(() => sim?.close());

  it('walks a whole sample-fleet scan (plan, every target, the organization) and finds each in the registry', async () => {
    const deps = { endpoint: sim.aws.endpoint, credentials: sim.callerCredentials, homeRegion: 'us-east-1' };
    // The caller's own account (GetCallerIdentity, DescribeRegions), then every member account through its role.
    await createAwsCollector(parseConfig({}), deps).plan();
    const accounts = [...new Set(sim.fleet.allClusters().map((c) => c.accountId))];
    const collector = createAwsCollector(
      parseConfig({ aws: { accounts: accounts.map((id) => ({ id })), roleName: sim.spec.readerRoleName } }),
      deps,
    );
    const plan = await collector.plan();
    const collected = await Promise.all(plan.targets.map((t) => collector.collect(t)));
    expect(collected.flatMap((c) => c.snapshots).length).toBeGreaterThan(5);
    const organizations = organizationsClient('us-east-1', sim.callerCredentials, {
      ...deps,
      maxAttempts: 1,
      retryBaseDelayMs: 1,
    });
    await listOrganizationAccounts(organizations);
    // The plan step's call (functions/plan.ts: the management account is left out by its id).
    await organizations.send(new DescribeOrganizationCommand({}));

    const sent = new Set(sim.calls.filter((c) => c.service !== 'k8s').map((c) => `${c.service}:${c.action}`));
    const unregistered = [...sent].filter((action) => !RESPONSE_SCHEMAS[action]);
    expect(unregistered, 'add these to collectors/aws/responses.ts').toEqual([]);
    // And no entry is stale: each schema was exercised by the scan.
    expect(Object.keys(RESPONSE_SCHEMAS).filter((action) => !sent.has(action))).toEqual([]);
    // The Kubernetes API read (aws-auth) has its own schema, checked in kubernetes.test.ts.
    expect(sim.count({ service: 'k8s' })).toBeGreaterThan(0);
  });

  it("names every AWS check's needs as the actions whose gaps the collector records, so a gap finds its checks", () => {
    const needs = new Set(checks.filter((c) => c.provider === 'aws').flatMap((c) => c.needs));
    const known = new Set([...Object.keys(RESPONSE_SCHEMAS), 'k8s:aws-auth']);
    expect([...needs].filter((n) => !known.has(n))).toEqual([]);
  });

  it('refuses the answer of a command without a schema, so a new call cannot skip validation', async () => {
    const client = new EKSClient({ ...simClientConfig(sim), maxAttempts: 1 });
    validateResponses(client, 'eks', {});
    await expect(client.send(new ListClustersCommand({}))).rejects.toBeInstanceOf(UnregisteredResponseError);
  });
});

describe('the schemas, on each protocol as the SDK parses it', () => {
  let server: Server;
  let answer = { contentType: 'application/json', body: '{}' };
  let o: Parameters<typeof eksClient>[2];
  const credentials = { accessKeyId: 'AKIDTESTONLY', secretAccessKey: 'test-only' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': answer.contentType });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    o = { maxAttempts: 1, retryBaseDelayMs: 1, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  });
  afterAll(() => server?.close());

  const xml = (body: string) => ({ contentType: 'text/xml', body });
  const json = (body: string, contentType = 'application/json') => ({ contentType, body });
  const cases: [
    string,
    () => Promise<unknown>,
    { contentType: string; body: string },
    { contentType: string; body: string },
  ][] = [
    [
      'EKS ListClusters (restJson1)',
      () => eksClient('us-east-1', credentials, o).send(new ListClustersCommand({})),
      json('{"clusters":[],"nextToken":null}'),
      json('{"nextToken":null}'),
    ],
    [
      'GuardDuty ListDetectors (restJson1)',
      () => guardDutyClient('us-east-1', credentials, o).send(new ListDetectorsCommand({})),
      json('{"detectorIds":[]}'),
      json('{}'),
    ],
    [
      'IAM ListRoles (awsQuery)',
      () => iamClient('us-east-1', credentials, o).send(new ListRolesCommand({})),
      xml(
        '<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult></ListRolesResponse>',
      ),
      xml('<ListRolesResponse><ListRolesResult></ListRolesResult></ListRolesResponse>'),
    ],
    [
      'EC2 DescribeInstances (ec2Query)',
      () => ec2Client('us-east-1', credentials, o).send(new DescribeInstancesCommand({})),
      xml('<DescribeInstancesResponse><requestId>r</requestId><reservationSet/></DescribeInstancesResponse>'),
      xml(''),
    ],
    [
      'SSM GetParameter (awsJson1.1)',
      () => ssmClient('us-east-1', credentials, o).send(new GetParameterCommand({ Name: '/aws/x' })),
      json('{"Parameter":{"Name":"/aws/x","Value":"1.2.3","Type":"String"}}', 'application/x-amz-json-1.1'),
      json('{}', 'application/x-amz-json-1.1'),
    ],
  ];

  it.each(cases)(
    '%s: an empty list (or a full answer) passes, a body without the field is Malformed',
    async (_n, call, good, bad) => {
      answer = good;
      await expect(call()).resolves.toBeDefined();
      answer = bad;
      await expect(call()).rejects.toMatchObject({
        code: 'Malformed',
        message: expect.stringMatching(/^Malformed: \w+:\w+ answered/),
      });
    },
  );

  it('IAM ListRoles that says IsTruncated without a Marker is Malformed: the walk would end early, silently', async () => {
    answer = xml(
      '<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>true</IsTruncated></ListRolesResult></ListRolesResponse>',
    );
    await expect(iamClient('us-east-1', credentials, o).send(new ListRolesCommand({}))).rejects.toMatchObject({
      code: 'Malformed',
      message: expect.stringContaining('IsTruncated is true but there is no Marker'),
    });
  });

  it('a body that is not JSON at all is Malformed too (the SDK cannot parse it)', async () => {
    answer = json('{"clusters": [');
    const e = await eksClient('us-east-1', credentials, o)
      .send(new ListClustersCommand({}))
      .catch((x: unknown) => x);
    expect(classifyAwsError(e)).toBe('Malformed');
  });
});
