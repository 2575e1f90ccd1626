import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { defaultAuthClient, federatedAuthClient } from './clients.ts';
import { gcpCredentialConfigFromEnv, parseGcpCredentialConfig } from './credential-config.ts';

/** As `gcloud iam workload-identity-pools create-cred-config ... --aws` writes it (no secret in it). */
const CONFIG = {
  type: 'external_account',
  audience:
    '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/kubeposture/providers/aws',
  subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
  token_url: 'https://sts.googleapis.com/v1/token',
  service_account_impersonation_url:
    'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/kubeposture@sec.iam.gserviceaccount.com:generateAccessToken',
  credential_source: {
    environment_id: 'aws1',
    // No region_url / url (the instance metadata endpoints): in Lambda, google-auth-library reads the region and
    // credentials from the environment, and a test must never be able to reach a metadata address.
    regional_cred_verification_url: 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
  },
};

describe('parseGcpCredentialConfig', () => {
  it('accepts an AWS workload identity federation config, as an object or JSON text', () => {
    expect(parseGcpCredentialConfig(CONFIG)).toEqual(CONFIG);
    expect(parseGcpCredentialConfig(JSON.stringify(CONFIG))).toEqual(CONFIG);
  });

  it.each([
    [{ ...CONFIG, type: 'service_account' }, /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.type: .*a service-account key/],
    [{ ...CONFIG, type: undefined }, /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.type: must be 'external_account'/],
    [{ ...CONFIG, audience: '' }, /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.audience: must be a non-empty string/],
    [{ ...CONFIG, token_url: 1 }, /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.token_url:/],
    [{ ...CONFIG, credential_source: undefined }, /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.credential_source: must be/],
    [
      { ...CONFIG, credential_source: { file: '/var/run/token' } },
      /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.credential_source\.environment_id: must be 'aws1'.*not undefined/,
    ],
    [
      { ...CONFIG, credential_source: { environment_id: 'azure1' } },
      /credential_source\.environment_id: must be 'aws1'.*not "azure1"/,
    ],
    [{ ...CONFIG, service_account_impersonation_url: '' }, /service_account_impersonation_url: must be/],
    [{ ...CONFIG, token_url: 'https://evil.example/token' }, /token_url: must be an https:\/\/\*\.googleapis\.com URL/],
    [
      { ...CONFIG, service_account_impersonation_url: 'http://iamcredentials.googleapis.com/x' },
      /service_account_impersonation_url: must be/,
    ],
    [
      {
        ...CONFIG,
        credential_source: { environment_id: 'aws1', regional_cred_verification_url: 'https://evil.example/' },
      },
      /credential_source\.regional_cred_verification_url: must be the regional AWS STS/,
    ],
    [[CONFIG], /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: must be a JSON object/],
    ['{not json', /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG is not valid JSON/],
  ])('refuses %j, naming the field', (value, message) => {
    expect(() => parseGcpCredentialConfig(value)).toThrow(ConfigError);
    expect(() => parseGcpCredentialConfig(value)).toThrow(message);
  });

  it('names the source it was given', () => {
    expect(() =>
      parseGcpCredentialConfig({ ...CONFIG, type: 'x' }, 'kubeposture.federation.gcp.credentialConfig'),
    ).toThrow(/^kubeposture\.federation\.gcp\.credentialConfig\.type:/);
  });
});

describe('gcpCredentialConfigFromEnv', () => {
  it('is undefined when the variable is unset or empty', () => {
    expect(gcpCredentialConfigFromEnv({})).toBeUndefined();
    expect(gcpCredentialConfigFromEnv({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: '  ' })).toBeUndefined();
  });

  it('reads inline JSON, or a file the variable names', () => {
    expect(gcpCredentialConfigFromEnv({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: JSON.stringify(CONFIG) })).toEqual(CONFIG);
    const file = join(mkdtempSync(join(tmpdir(), 'kubeposture-gcp-')), 'cred-config.json');
    writeFileSync(file, JSON.stringify(CONFIG));
    expect(gcpCredentialConfigFromEnv({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: file })).toEqual(CONFIG);
  });

  it('names the file when it cannot be read or is not a federation config', () => {
    expect(() => gcpCredentialConfigFromEnv({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: '/nonexistent/cred.json' })).toThrow(
      /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG names \/nonexistent\/cred\.json, which cannot be read/,
    );
    const readFile = () => JSON.stringify({ ...CONFIG, credential_source: { environment_id: 'aws2' } });
    expect(() => gcpCredentialConfigFromEnv({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: '/etc/cred.json' }, readFile)).toThrow(
      /KUBEPOSTURE_GCP_CREDENTIAL_CONFIG \(\/etc\/cred\.json\)\.credential_source\.environment_id/,
    );
  });
});

describe('federated auth client', () => {
  it('builds google-auth-library’s AWS client from the config, without a network call', () => {
    const client = federatedAuthClient(parseGcpCredentialConfig(CONFIG));
    expect(client).toBeInstanceOf(AwsClient);
  });

  it('is what defaultAuthClient returns when the variable is set, and a bad config rejects with the field', async () => {
    const env = { KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: JSON.stringify(CONFIG) };
    expect(await defaultAuthClient(env)).toBeInstanceOf(AwsClient);
    await expect(
      defaultAuthClient({ KUBEPOSTURE_GCP_CREDENTIAL_CONFIG: JSON.stringify({ ...CONFIG, type: 'authorized_user' }) }),
    ).rejects.toThrow(/KUBEPOSTURE_GCP_CREDENTIAL_CONFIG\.type/);
  });
});
