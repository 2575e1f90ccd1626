import type { LogSetup } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../core/engine.ts';
import { aContext, anEksCluster, type EksClusterOverrides, evaluateOnce } from './builders.ts';
import { type CheckCase, itEvaluatesCases } from './cases.ts';
import check from './eks-control-plane-audit-logging.ts';

const logging = (clusterLogging: LogSetup[] | undefined): EksClusterOverrides => ({
  cluster: { logging: { clusterLogging } },
});

const cases: CheckCase[] = [
  {
    name: 'passes a cluster with every log type enabled',
    overrides: {},
    status: 'PASS',
    says: ['Required control-plane log types are enabled: audit, authenticator'],
  },
  {
    name: 'passes when EKS lists the disabled group before the enabled one',
    overrides: logging([
      { types: ['api', 'controllerManager', 'scheduler'], enabled: false },
      { types: ['audit', 'authenticator'], enabled: true },
    ]),
    status: 'PASS',
    says: ['(enabled: audit, authenticator)'],
  },
  {
    name: 'passes when the required types are spread over several enabled entries',
    overrides: logging([
      { types: ['audit'], enabled: true },
      { types: ['api', 'scheduler'], enabled: false },
      { types: ['authenticator'], enabled: true },
    ]),
    status: 'PASS',
    says: ['enabled: audit, authenticator'],
  },
  {
    name: 'fails when the enabled group comes first but lacks authenticator',
    overrides: logging([
      { types: ['api', 'audit'], enabled: true },
      { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]),
    status: 'FAIL',
    says: ['not enabled: authenticator', '(enabled: api, audit)'],
  },
  {
    name: 'fails when every log type is reported disabled',
    overrides: logging([
      { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]),
    status: 'FAIL',
    says: ['not enabled: audit, authenticator', '(enabled: none)'],
  },
  {
    name: 'fails when logging is not configured at all, rather than reporting an error',
    overrides: { cluster: { logging: undefined } },
    status: 'FAIL',
    says: ['No control-plane logging: logging is not configured', 'audit, authenticator logs are not sent'],
  },
  {
    name: 'fails when clusterLogging is an empty list',
    overrides: logging([]),
    status: 'FAIL',
    says: ['logging.clusterLogging is empty'],
  },
  {
    name: 'fails when an entry has no enabled flag, treating its types as not enabled',
    overrides: logging([{ types: ['audit', 'authenticator'] }]),
    status: 'FAIL',
    says: ['not enabled: audit, authenticator'],
  },
  {
    name: 'fails on the types a stricter configuration requires',
    overrides: logging([{ types: ['audit', 'authenticator'], enabled: true }]),
    settings: { logging: { requiredTypes: ['api', 'audit', 'authenticator'] } },
    status: 'FAIL',
    says: ['not enabled: api'],
  },
  {
    name: 'passes on a looser configuration that only requires audit',
    overrides: logging([{ types: ['audit'], enabled: true }]),
    settings: { logging: { requiredTypes: ['audit'] } },
    status: 'PASS',
    says: ['enabled: audit'],
  },
  {
    name: 'reports ERROR, not PASS, when DescribeCluster data is missing',
    overrides: { cluster: undefined },
    status: 'ERROR',
    says: ['cluster is missing'],
  },
];

describe('EKS.LOGGING.1 eks-control-plane-audit-logging', () => {
  itEvaluatesCases(check, cases);

  it('records required, enabled, disabled and missing types as evidence', () => {
    const r = evaluateOnce(
      check,
      anEksCluster(
        logging([
          { types: ['scheduler', 'audit'], enabled: true },
          { types: ['api', 'authenticator', 'controllerManager'], enabled: false },
        ]),
      ),
    );
    expect(r.evidence).toEqual({
      requiredTypes: ['audit', 'authenticator'],
      enabledTypes: ['audit', 'scheduler'],
      disabledTypes: ['api', 'authenticator', 'controllerManager'],
      missingTypes: ['authenticator'],
      logSetupEntries: 2,
    });
  });

  it('counts a type as enabled when entries contradict each other, and notes the conflict', () => {
    const r = evaluateOnce(
      check,
      anEksCluster(
        logging([
          { types: ['audit', 'authenticator'], enabled: false },
          { types: ['audit', 'authenticator'], enabled: true },
        ]),
      ),
    );
    expect(r.status).toBe('PASS');
    expect(r.evidence).toMatchObject({ conflictingTypes: ['audit', 'authenticator'] });
  });

  it('yields ERROR through the engine when DescribeCluster could not be collected', () => {
    const s = anEksCluster({ gaps: [{ need: 'eks:DescribeCluster', error: 'throttled' }] });
    const findings = runCheck(check, s, aContext());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'ERROR', checkId: 'EKS.LOGGING.1' });
    expect(findings[0]?.message).toContain('eks:DescribeCluster: throttled');
  });
});
