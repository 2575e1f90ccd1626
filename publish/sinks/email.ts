import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Severity } from '../../core/severity.ts';
import type { Notifier } from '../../core/state.ts';
import { type DigestOptions, toEmailDigest } from '../formats/digest.ts';

interface DigestSettings {
  minSeverity: Severity;
  maxFindings?: number;
}

function digestOptions(s: DigestSettings, reportUrl: string | undefined): DigestOptions {
  return {
    minSeverity: s.minSeverity,
    ...(s.maxFindings !== undefined ? { maxFindings: s.maxFindings } : {}),
    ...(reportUrl ? { reportUrl } : {}),
  };
}

export interface SesNotifierDeps extends DigestSettings {
  client: Pick<SESv2Client, 'send'>;
  /** A verified SES identity. */
  from: string;
  to: string[];
  configurationSet?: string;
}

/** The digest as an HTML + text email through SES v2 (needs a verified sender, out of the sandbox). */
export function createSesNotifier(deps: SesNotifierDeps): Notifier {
  return {
    name: 'email',
    async notify(report, context) {
      const d = toEmailDigest(report, digestOptions(deps, context.reportUrl));
      await deps.client.send(
        new SendEmailCommand({
          FromEmailAddress: deps.from,
          Destination: { ToAddresses: deps.to },
          Content: {
            Simple: {
              Subject: { Data: d.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: d.text, Charset: 'UTF-8' }, Html: { Data: d.html, Charset: 'UTF-8' } },
            },
          },
          ...(deps.configurationSet ? { ConfigurationSetName: deps.configurationSet } : {}),
        }),
      );
    },
  };
}

export interface SnsNotifierDeps extends DigestSettings {
  client: Pick<SNSClient, 'send'>;
  topicArn: string;
}

/** The simple alternative: the text digest to an SNS topic (email subscribers get plain text). */
export function createSnsNotifier(deps: SnsNotifierDeps): Notifier {
  return {
    name: 'sns',
    async notify(report, context) {
      const d = toEmailDigest(report, digestOptions(deps, context.reportUrl));
      await deps.client.send(new PublishCommand({ TopicArn: deps.topicArn, Subject: d.subject, Message: d.text }));
    },
  };
}
