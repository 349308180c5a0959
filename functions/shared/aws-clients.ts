/**
 * Builds the AWS SDK v3 clients once per cold start. On AWS every endpoint is the SDK default; locally
 * (npm run dev, integration tests) each service can point at an emulator on 127.0.0.1.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EndpointOverrides } from './env.js';

/** The clients the publisher's adapters use. */
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
  region: string;
  endpoints?: EndpointOverrides;
  /** Static credentials for emulators; omitted on AWS (the Lambda role's credentials are used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * s3rver accepts only these credentials (and checks the signature); the SES and DynamoDB emulators
 * accept any, so one pair serves all three. They are the emulator's fixed values, not a secret.
 */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Creates every client. Pass `endpoints` (and emulator `credentials`) only for local runs. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const { region, endpoints = {} } = options;
  const credentials = options.credentials ?? (hasAnyEndpoint(endpoints) ? EMULATOR_CREDENTIALS : undefined);
  const common = { region, ...(credentials ? { credentials } : {}) };
  const s3 = new S3Client({
    ...common,
    ...(endpoints.s3 ? { endpoint: endpoints.s3, forcePathStyle: true } : {}),
    // Only checksum when an operation requires it: with the default (WHEN_SUPPORTED) a PutObject body is
    // sent aws-chunked with a trailing CRC, which s3rver stores verbatim inside the object. Our adapter
    // sends Content-MD5 itself, so integrity on AWS is kept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const ses = new SESClient({
    ...common,
    ...(endpoints.ses ? { endpoint: endpoints.ses } : {}),
    // One attempt: the publish use case retries throttling itself with exponential backoff and jitter
    // while pacing to MaxSendRate; SDK retries underneath would multiply the attempts and the delay.
    maxAttempts: 1,
  });
  const dynamodb = new DynamoDBClient({ ...common, ...(endpoints.dynamodb ? { endpoint: endpoints.dynamodb } : {}) });
  const doc = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // There is no Secrets Manager emulator: locally the keyring comes inline (GAZETTE_TOKEN_KEYRING_JSON).
  const secrets = new SecretsManagerClient(common);
  return { s3, ses, dynamodb, doc, secrets };
}

/** Closes the clients' sockets (tests and the dev server, so the process can exit). */
export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.ses.destroy();
  clients.doc.destroy();
  clients.dynamodb.destroy();
  clients.secrets.destroy();
}

function hasAnyEndpoint(endpoints: EndpointOverrides): boolean {
  return Boolean(endpoints.s3 || endpoints.ses || endpoints.dynamodb);
}
