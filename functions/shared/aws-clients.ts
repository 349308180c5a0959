/**
 * Builds the AWS SDK v3 clients once per cold start. On AWS every endpoint is the SDK default; locally
 * (npm run dev, integration tests) each service can point at an emulator on 127.0.0.1.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EndpointOverrides } from './env.js';

/** Every client the functions use; each function builds only the ones it needs. */
export interface AwsClients {
  s3: S3Client;
  ses: SESClient;
  dynamodb: DynamoDBClient;
  /** Document client over `dynamodb`: plain JS values in and out, `undefined` attributes dropped. */
  doc: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
}

/** How to build the clients. */
export interface AwsClientOptions {
  /** Absent only for the operator commands, where the SDK then reads it from the profile (~/.aws/config). */
  region?: string | undefined;
  endpoints?: EndpointOverrides;
  /** Static credentials for emulators; omitted on AWS (the Lambda role's credentials are used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * s3rver accepts only these credentials (and checks the signature); the SES and DynamoDB emulators
 * accept any, so one pair serves all three. They are the emulator's fixed values, not a secret.
 */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Region and, for emulators, credentials: what every client shares. */
function commonConfig(options: AwsClientOptions): { region?: string; credentials?: AwsClientOptions['credentials'] } {
  const credentials = options.credentials ?? (hasAnyEndpoint(options.endpoints ?? {}) ? EMULATOR_CREDENTIALS : undefined);
  return { ...(options.region ? { region: options.region } : {}), ...(credentials ? { credentials } : {}) };
}

// One factory per service, so a function bundles (and builds at cold start) only the clients it uses:
// esbuild drops the SDK packages of the factories a handler never calls.

/** The S3 client (path-style URLs against an emulator). */
export function createS3Client(options: AwsClientOptions): S3Client {
  const endpoint = options.endpoints?.s3;
  return new S3Client({
    ...commonConfig(options),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Only checksum when an operation requires it: with the default (WHEN_SUPPORTED) a PutObject body is
    // sent aws-chunked with a trailing CRC, which s3rver stores verbatim inside the object. Our adapter
    // sends Content-MD5 itself, so integrity on AWS is kept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The SES (v1 API) client. */
export function createSesClient(options: AwsClientOptions): SESClient {
  const endpoint = options.endpoints?.ses;
  return new SESClient({
    ...commonConfig(options),
    ...(endpoint ? { endpoint } : {}),
    // One attempt: the publish use case retries throttling itself with exponential backoff and jitter
    // while pacing to MaxSendRate; SDK retries underneath would multiply the attempts and the delay.
    maxAttempts: 1,
  });
}

/** The DynamoDB client and the document client over it. */
export function createDynamoClients(options: AwsClientOptions): Pick<AwsClients, 'dynamodb' | 'doc'> {
  const endpoint = options.endpoints?.dynamodb;
  const dynamodb = new DynamoDBClient({ ...commonConfig(options), ...(endpoint ? { endpoint } : {}) });
  return { dynamodb, doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }) };
}

/** The Secrets Manager client (never emulated: locally the keyring comes inline, GAZETTE_TOKEN_KEYRING_JSON). */
export function createSecretsClient(options: AwsClientOptions): SecretsManagerClient {
  return new SecretsManagerClient(commonConfig(options));
}

/**
 * The SQS client of the send queue. Not part of {@link AwsClients}: only the publisher (when it fans
 * out) and the sender function use it, so the other functions do not bundle it.
 */
export function createSqsClient(options: AwsClientOptions): SQSClient {
  const endpoint = options.endpoints?.sqs;
  return new SQSClient({ ...commonConfig(options), ...(endpoint ? { endpoint } : {}) });
}

/** Creates every client (the publisher uses them all). Pass `endpoints` (and emulator `credentials`) only for local runs. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  return {
    s3: createS3Client(options),
    ses: createSesClient(options),
    ...createDynamoClients(options),
    secrets: createSecretsClient(options),
  };
}

/** Closes the clients' sockets (tests and the dev server, so the process can exit). */
export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.ses.destroy();
  clients.doc.destroy();
  clients.dynamodb.destroy();
  clients.secrets.destroy();
}

/** The CloudFormation client of the operator commands (DescribeStacks finds the stack's resources). */
export function createCloudFormationClient(options: AwsClientOptions): CloudFormationClient {
  const endpoint = options.endpoints?.cloudformation;
  return new CloudFormationClient({ ...commonConfig(options), ...(endpoint ? { endpoint } : {}) });
}

/** Longest a synchronous invocation of the publisher can take: its 15-minute timeout, and a margin. */
const INVOKE_TIMEOUT_MS = 16 * 60_000;

/**
 * The Lambda client of `gazette run`: one attempt (a retried Invoke would start a second run, which the
 * lease would turn away) and a socket timeout longer than the publisher's own.
 */
export function createLambdaClient(options: AwsClientOptions): LambdaClient {
  const endpoint = options.endpoints?.lambda;
  return new LambdaClient({
    ...commonConfig(options),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: INVOKE_TIMEOUT_MS },
  });
}

function hasAnyEndpoint(endpoints: EndpointOverrides): boolean {
  return Boolean(endpoints.s3 || endpoints.ses || endpoints.dynamodb || endpoints.sqs || endpoints.cloudformation || endpoints.lambda);
}
