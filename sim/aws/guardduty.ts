import type { SimGuardDuty } from '../fleet.ts';
import { AwsError, restJsonError, restJsonResponse } from './protocol.ts';
import { type AwsService, type RequestContext, type Route, routeByPath } from './service.ts';

/** GuardDuty (restJson1): the detector of the signing account's region, with its EKS features. */

function detectorOf(ctx: RequestContext): SimGuardDuty | undefined {
  return ctx.fleet.account(ctx.principal.accountId)?.guardDuty.get(ctx.region);
}

const routes: Route[] = [
  {
    method: 'GET',
    path: ['detector'],
    action: 'ListDetectors',
    handler(_p, _req, ctx) {
      const d = detectorOf(ctx);
      return restJsonResponse({ detectorIds: d ? [d.detectorId] : [] }, ctx.requestId);
    },
  },
  {
    method: 'GET',
    path: ['detector', '{detectorId}'],
    action: 'GetDetector',
    handler(p, _req, ctx) {
      const d = detectorOf(ctx);
      if (!d || d.detectorId !== p.detectorId) {
        throw new AwsError(
          400,
          'BadRequestException',
          'The request is rejected because the input detectorId is not owned by the current account.',
        );
      }
      const status = (on: boolean) => (on ? 'ENABLED' : 'DISABLED');
      const feature = (name: string, on: boolean, extra?: { name: string; on: boolean }) => ({
        name,
        status: status(on),
        updatedAt: d.createdAt,
        ...(extra
          ? { additionalConfiguration: [{ name: extra.name, status: status(extra.on), updatedAt: d.createdAt }] }
          : {}),
      });
      return restJsonResponse(
        {
          createdAt: d.createdAt.toISOString(),
          updatedAt: d.createdAt.toISOString(),
          findingPublishingFrequency: 'SIX_HOURS',
          serviceRole: `arn:aws:iam::${ctx.principal.accountId}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
          status: d.status,
          tags: {},
          features: [
            feature('CLOUD_TRAIL', true),
            feature('EKS_AUDIT_LOGS', d.eksAuditLogs),
            feature('RUNTIME_MONITORING', d.runtimeMonitoring, {
              name: 'EKS_ADDON_MANAGEMENT',
              on: d.runtimeMonitoring,
            }),
          ],
        },
        ctx.requestId,
      );
    },
  },
];

export const guardduty: AwsService = {
  signingName: 'guardduty',
  title: 'GuardDuty',
  protocol: 'restJson1',
  regional: true,
  errors: {
    unrecognizedClient: {
      status: 403,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    },
    throttled: { status: 429, code: 'TooManyRequestsException', message: 'Rate exceeded' },
    accessDenied: { status: 403, code: 'AccessDeniedException', message: '' },
  },
  route: routeByPath('GuardDuty', 'sim/aws/guardduty.ts', 'BadRequestException', routes),
  errorResponse: (e, requestId) => restJsonError(e, requestId),
};
