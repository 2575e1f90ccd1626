/**
 * The settings of Azure federation through AWS IAM outbound identity federation, shared by the credential
 * (collectors/azure/credential.ts) and the stack that grants and configures it (stacks/scanner-stack.ts). No SDK import,
 * so synth does not load the Azure SDK.
 */

/** Selects how the collector authenticates to Entra ID when no credential is injected. */
export const AZURE_FEDERATION_ENV = 'KUBEPOSTURE_AZURE_FEDERATION';
/** The one federation mode: an AWS-signed JWT (IAM outbound identity federation) as the client assertion. */
export const AWS_WEB_IDENTITY = 'aws-web-identity';
/** The audience Entra ID requires of a federated identity credential's token. */
export const AZURE_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/** Token lifetime asked of STS; the stack's IAM condition caps it at this value. */
export const WEB_IDENTITY_TOKEN_SECONDS = 300;
export const WEB_IDENTITY_SIGNING_ALGORITHM = 'RS256';
