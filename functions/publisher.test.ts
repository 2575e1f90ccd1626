import { describe, expect, it } from 'vitest';
import { notifiersFromEnv } from './publisher.ts';

describe('notifiersFromEnv', () => {
  it('notifies Slack when the stack made its secret, and the alerts topic when it is set', () => {
    const names = notifiersFromEnv({
      KUBEPOSTURE_SLACK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:999999999999:secret:SlackWebhook-abc',
      KUBEPOSTURE_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:999999999999:Alerts',
      KUBEPOSTURE_ALERT_SEVERITY: 'medium',
    }).map((n) => n.name);
    expect(names.sort()).toEqual(['slack', 'sns']);
  });

  it('imports into Security Hub only when the stack set its account, and refuses a malformed one', () => {
    const fake = { send: async () => ({}) };
    expect(
      notifiersFromEnv({ KUBEPOSTURE_SECURITYHUB_ACCOUNT: '999999999999' }, { securityHub: fake }).map((n) => n.name),
    ).toEqual(['securityhub']);
    expect(() => notifiersFromEnv({ KUBEPOSTURE_SECURITYHUB_ACCOUNT: 'me' }, { securityHub: fake })).toThrow(
      /KUBEPOSTURE_SECURITYHUB_ACCOUNT must be a 12-digit AWS account id/,
    );
  });

  it('builds no notifier when nothing is configured', () => {
    expect(notifiersFromEnv({})).toEqual([]);
  });

  it('refuses an alert severity that is not one of the scale, naming the variable and the values', () => {
    expect(() => notifiersFromEnv({ KUBEPOSTURE_ALERT_SEVERITY: 'severe' })).toThrow(
      /KUBEPOSTURE_ALERT_SEVERITY must be one of critical, high, medium, low, info/,
    );
  });
});
