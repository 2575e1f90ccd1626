import { AwsError, restJsonError, restJsonResponse } from './protocol.ts';
import type { AwsService, Operation } from './service.ts';

/** GuardDuty (restJson1): the detectors of the signing account's region, with their EKS features. */
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
  route(req): Operation {
    const [first, id, ...rest] = req.segments;
    if (req.method === 'GET' && first === 'detector' && id === undefined) {
      return {
        action: 'ListDetectors',
        run(_req, ctx) {
          const d = ctx.fleet.account(ctx.principal.accountId)?.guardDuty.get(ctx.region);
          return restJsonResponse({ detectorIds: d ? [d.detectorId] : [] }, ctx.requestId);
        },
      };
    }
    if (req.method === 'GET' && first === 'detector' && id !== undefined && rest.length === 0) {
      return {
        action: 'GetDetector',
        run(_req, ctx) {
          const d = ctx.fleet.account(ctx.principal.accountId)?.guardDuty.get(ctx.region);
          if (!d || d.detectorId !== id) {
            throw new AwsError(
              400,
              'BadRequestException',
              'The request is rejected because the input detectorId is not owned by the current account.',
            );
          }
          const feature = (name: string, on: boolean, extra?: { name: string; on: boolean }) => ({
            name,
            status: on ? 'ENABLED' : 'DISABLED',
            updatedAt: d.createdAt,
            ...(extra
              ? {
                  additionalConfiguration: [
                    { name: extra.name, status: extra.on ? 'ENABLED' : 'DISABLED', updatedAt: d.createdAt },
                  ],
                }
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
      };
    }
    const what = `${req.method} ${req.url.pathname}`;
    return {
      action: what,
      run() {
        throw new AwsError(
          400,
          'BadRequestException',
          `The simulated cloud does not implement GuardDuty ${what} (see sim/aws/guardduty.ts).`,
        );
      },
    };
  },
  errorResponse: (e, requestId) => restJsonError(e, requestId),
};
