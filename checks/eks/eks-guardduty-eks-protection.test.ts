import { describe } from 'vitest';
import type { GuardDutyFacts } from '../../core/snapshot.ts';
import { anAddon, anEksCluster, guardDutyOn } from './builders.ts';
import { type CheckCase, itErrorsOnGap, itEvaluatesCases } from './cases.ts';
import check from './eks-guardduty-eks-protection.ts';

type Features = NonNullable<GuardDutyFacts['detectors'][number]['Features']>;
const detector = (Features: Features, Status = 'ENABLED'): GuardDutyFacts => ({
  detectors: [{ ...guardDutyOn().detectors[0]!, Status: Status as 'ENABLED', Features }],
});
const runtimeOnly = (addonManagement: boolean): Features => [
  { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
  {
    Name: 'RUNTIME_MONITORING',
    Status: 'ENABLED',
    AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: addonManagement ? 'ENABLED' : 'DISABLED' }],
  },
];

const cases: CheckCase[] = [
  {
    name: 'passes with EKS audit log and runtime monitoring on',
    overrides: {},
    status: 'PASS',
    says: ['monitors EKS audit logs and node runtime in account 111122223333, eu-west-1'],
  },
  {
    name: 'fails when the region has no detector',
    overrides: { guardDuty: { detectors: [] } },
    status: 'FAIL',
    says: ['GuardDuty has no detector in account 111122223333, eu-west-1'],
  },
  {
    name: 'fails when the only detector is disabled',
    overrides: { guardDuty: detector(runtimeOnly(true), 'DISABLED') },
    status: 'FAIL',
    says: ['has only disabled detectors'],
  },
  {
    name: 'fails at medium when EKS audit log monitoring is off',
    overrides: { guardDuty: detector([{ Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' }]) },
    status: 'FAIL',
    severity: 'medium',
    says: ['lacks EKS audit log monitoring, runtime monitoring'],
  },
  {
    name: 'fails at low when only runtime monitoring is off',
    overrides: { guardDuty: detector([{ Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' }]) },
    status: 'FAIL',
    severity: 'low',
    says: ['lacks runtime monitoring'],
  },
  {
    name: 'fails when runtime monitoring is on but no agent reaches this cluster',
    overrides: { guardDuty: detector(runtimeOnly(false)) },
    status: 'FAIL',
    says: ['EKS_ADDON_MANAGEMENT off, no aws-guardduty-agent add-on'],
  },
  {
    name: 'passes when the agent add-on is installed by hand',
    overrides: {
      guardDuty: detector(runtimeOnly(false)),
      addons: [...anEksCluster().addons, anAddon('aws-guardduty-agent', 'v1.10.0-eksbuild.2')],
    },
    status: 'PASS',
    says: ['monitors EKS audit logs and node runtime'],
  },
  {
    name: 'accepts the older EKS_RUNTIME_MONITORING feature name',
    overrides: {
      guardDuty: detector([
        { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
        {
          Name: 'EKS_RUNTIME_MONITORING',
          Status: 'ENABLED',
          AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }],
        },
      ]),
    },
    status: 'PASS',
    says: ['monitors EKS audit logs'],
  },
  {
    name: 'says ERROR, not PASS, when GuardDuty was not read',
    overrides: { guardDuty: undefined },
    status: 'ERROR',
    says: ['GuardDuty was not read'],
  },
];

describe('EKS.LOGGING.2 eks-guardduty-eks-protection', () => {
  itEvaluatesCases(check, cases);
  itErrorsOnGap(check, 'guardduty:ListDetectors');
  itErrorsOnGap(check, 'guardduty:GetDetector');
});
