/**
 * Starts the three AWS emulators in this process on free ports of 127.0.0.1 — s3rver (S3), dynalite
 * (DynamoDB) and aws-ses-v2-local (SES v1/v2) — and provisions Gazette's bucket and tables in them.
 * Shared by the integration tests' global setup, the e2e global setup and `npm run dev`.
 *
 * aws-ses-v2-local has no `GetSendQuota` (the request would hang) and keeps only a parsed copy of each
 * mail (its headers are lost), so SES is reached through a small front (`SesFront`) that answers
 * `GetSendQuota`, keeps the raw bytes of every accepted message, can inject SES's own throttling and
 * quota errors and lose a response after the send, and passes everything else (the web inbox at `/`,
 * `GET /store`) through to the emulator.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/** Base URLs of the running emulators (what the SDK clients' `endpoint` is set to). */
export interface EmulatorEndpoints {
  s3: string;
  dynamodb: string;
  /** The SES front: SDK endpoint, web inbox at `/`, captured mails at `/store`, test controls at `/__gazette/*`. */
  ses: string;
}

/** Running emulators. */
export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** Stops all three and removes s3rver's temporary folder. */
  stop(): Promise<void>;
}

/** What the SES front answers to `GetSendQuota`, and which faults it injects into sends. */
export interface SesFaultPlan {
  /** `MaxSendRate` reported by `GetSendQuota` (default 1000, so tests are not slowed by pacing). */
  maxSendRate?: number;
  /** 1-based numbers of send requests (counted from when the plan was set) answered with SES throttling. */
  throttleRequests?: number[];
  /** After this many accepted sends, every further send gets "Daily message quota exceeded." */
  quotaAfterSends?: number;
  /**
   * After this many accepted sends, the next send is delivered to the emulator but its response is lost
   * (the connection is destroyed): a crash after SES accepted the message and before we recorded it.
   */
  loseResponseAfterSends?: number;
  /** Recipients SES refuses with `MessageRejected` (as it does for a suppressed or unverified address). */
  rejectRecipients?: string[];
}

/** One message as SES received it on the wire. */
export interface CapturedSend {
  destinations: string[];
  /** The raw RFC 5322 message, base64. */
  raw: string;
  messageId: string;
}

/** Options for `startEmulators`. */
export interface StartOptions {
  /** Port of the SES front (0 = any free port; `npm run dev` may pin one for a stable inbox URL). */
  sesPort?: number;
}

const require = createRequire(import.meta.url);
const HOST = '127.0.0.1';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
type Dynalite = (options: Record<string, unknown>) => Server;
type SesServer = (config: { host: string; port: number }) => Promise<Server>;

/** Starts s3rver, dynalite and aws-ses-v2-local (behind the SES front) on free ports. */
export async function startEmulators(options: StartOptions = {}): Promise<Emulators> {
  const stops: (() => Promise<void>)[] = [];
  try {
    const directory = await mkdtemp(join(tmpdir(), 'gazette-s3rver-'));
    stops.push(() => rm(directory, { recursive: true, force: true }));
    const S3rver = require('s3rver') as S3rverConstructor;
    const s3 = new S3rver({ address: HOST, port: 0, silent: true, directory, resetOnClose: true });
    const s3Address = await s3.run();
    stops.push(() => s3.close());

    const dynalite = require('dynalite') as Dynalite;
    // Tables are ACTIVE at once; the 500 ms defaults would make every CreateTable wait.
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => dynamo.once('error', reject).listen(0, HOST, resolve));
    stops.push(() => closeServer(dynamo));

    // CommonJS with `exports.default`: plain Node ESM and vitest disagree on what a default import gives,
    // so require() it and take `.default` explicitly.
    const sesModule = require('aws-ses-v2-local') as { default: SesServer };
    const ses = await sesModule.default({ host: HOST, port: 0 });
    stops.push(() => closeServer(ses));
    const front = await startSesFront(`http://${HOST}:${(ses.address() as AddressInfo).port}`, options.sesPort ?? 0);
    stops.push(() => closeServer(front));

    return {
      endpoints: {
        s3: `http://${HOST}:${s3Address.port}`,
        dynamodb: `http://${HOST}:${(dynamo.address() as AddressInfo).port}`,
        ses: `http://${HOST}:${(front.address() as AddressInfo).port}`,
      },
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

/** Physical names of Gazette's bucket and tables (the stack lets CDK generate them on AWS). */
export interface GazetteResourceNames {
  bucket: string;
  tables: { subscribers: string; deliveries: string; state: string };
}

/** Fresh, unique resource names, so tests sharing one set of emulators never see each other's data. */
export function uniqueResourceNames(label = 'gazette'): GazetteResourceNames {
  const suffix = randomUUID().slice(0, 8);
  return {
    bucket: `${label}-site-${suffix}`,
    tables: {
      subscribers: `${label}-subscribers-${suffix}`,
      deliveries: `${label}-deliveries-${suffix}`,
      state: `${label}-state-${suffix}`,
    },
  };
}

/** Creates the bucket and the three tables with the key schemas of the deployed stack; returns once all are ACTIVE. */
export async function provisionGazette(clients: { s3: S3Client; dynamodb: DynamoDBClient }, names: GazetteResourceNames): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  const string = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  await Promise.all([
    clients.dynamodb.send(
      new CreateTableCommand({
        TableName: names.tables.subscribers,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [string('id')],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    ),
    clients.dynamodb.send(
      new CreateTableCommand({
        TableName: names.tables.deliveries,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [string('digestId'), string('subscriberId')],
        KeySchema: [
          { AttributeName: 'digestId', KeyType: 'HASH' },
          { AttributeName: 'subscriberId', KeyType: 'RANGE' },
        ],
      }),
    ),
    // The TTL attribute (expiresAt) is not set here: dynalite has no UpdateTimeToLive, and the lease
    // decides expiry by its own condition anyway.
    clients.dynamodb.send(
      new CreateTableCommand({
        TableName: names.tables.state,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [string('id')],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    ),
  ]);
  // dynalite answers CreateTable before it stores the table as ACTIVE (even with createTableMs 0), and
  // an item write to a CREATING table fails with ResourceNotFoundException: wait for ACTIVE.
  await Promise.all(Object.values(names.tables).map((table) => waitUntilActive(clients.dynamodb, table)));
}

async function waitUntilActive(dynamodb: DynamoDBClient, table: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

/** Sets the SES front's fault plan (and resets its send counter). */
export async function setSesFaults(sesEndpoint: string, plan: SesFaultPlan): Promise<void> {
  const response = await fetch(`${sesEndpoint}/__gazette/faults`, { method: 'POST', body: JSON.stringify(plan) });
  if (!response.ok) throw new Error(`SES front refused the fault plan: ${response.status}`);
}

/** Requests the SES front has seen since it started (all tests share one front: compare before and after). */
export async function sesStats(sesEndpoint: string): Promise<{ quotaReads: number; sendRequests: number }> {
  const response = await fetch(`${sesEndpoint}/__gazette/stats`);
  if (!response.ok) throw new Error(`SES front: ${response.status}`);
  return (await response.json()) as { quotaReads: number; sendRequests: number };
}

/** Every message SES accepted since start, with its raw bytes. */
export async function capturedSends(sesEndpoint: string): Promise<CapturedSend[]> {
  const response = await fetch(`${sesEndpoint}/__gazette/sent`);
  if (!response.ok) throw new Error(`SES front: ${response.status}`);
  return (await response.json()) as CapturedSend[];
}

/** The SES emulator's own record of accepted mails (its `GET /store`), as it shows them in its inbox. */
export async function sesStore(
  sesEndpoint: string,
): Promise<{ messageId: string; from: string; destination: { to: string[] }; subject: string }[]> {
  const response = await fetch(`${sesEndpoint}/store`);
  if (!response.ok) throw new Error(`SES emulator /store: ${response.status}`);
  return ((await response.json()) as { emails: { messageId: string; from: string; destination: { to: string[] }; subject: string }[] })
    .emails;
}

async function startSesFront(target: string, port: number): Promise<Server> {
  let plan: SesFaultPlan = {};
  let sendRequests = 0;
  let accepted = 0;
  const sent: CapturedSend[] = [];
  const stats = { quotaReads: 0, sendRequests: 0 };

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.url === '/__gazette/faults' && req.method === 'POST') {
        plan = JSON.parse(body.toString('utf8') || '{}') as SesFaultPlan;
        sendRequests = 0;
        accepted = 0;
        return reply(res, 204, '');
      }
      if (req.url === '/__gazette/stats' && req.method === 'GET') {
        return reply(res, 200, JSON.stringify(stats), 'application/json');
      }
      if (req.url === '/__gazette/sent' && req.method === 'GET') {
        return reply(res, 200, JSON.stringify(sent), 'application/json');
      }
      const form = req.method === 'POST' && req.url === '/' ? new URLSearchParams(body.toString('utf8')) : undefined;
      const action = form?.get('Action');
      if (action === 'GetSendQuota') {
        stats.quotaReads += 1;
        return reply(
          res,
          200,
          sesResponse(
            'GetSendQuota',
            `<SentLast24Hours>${accepted}</SentLast24Hours><Max24HourSend>50000</Max24HourSend><MaxSendRate>${plan.maxSendRate ?? 1000}</MaxSendRate>`,
          ),
          'text/xml',
        );
      }
      const isSend = action === 'SendRawEmail' || action === 'SendEmail';
      if (isSend) {
        sendRequests += 1;
        stats.sendRequests += 1;
        if (plan.throttleRequests?.includes(sendRequests))
          return reply(res, 400, sesError('Throttling', 'Maximum sending rate exceeded.'), 'text/xml');
        if (plan.quotaAfterSends !== undefined && accepted >= plan.quotaAfterSends)
          return reply(res, 400, sesError('Throttling', 'Daily message quota exceeded.'), 'text/xml');
        const recipients = [...(form?.entries() ?? [])].filter(([key]) => key.startsWith('Destinations.member.')).map(([, value]) => value);
        if (recipients.some((recipient) => plan.rejectRecipients?.includes(recipient))) {
          return reply(res, 400, sesError('MessageRejected', 'Email address is on the suppression list.'), 'text/xml');
        }
      }
      const upstream = await forward(target, req, body);
      if (isSend && upstream.status === 200) {
        accepted += 1;
        const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(upstream.body.toString('utf8'))?.[1] ?? '';
        const destinations = [...(form?.entries() ?? [])]
          .filter(([key]) => key.startsWith('Destinations.member.'))
          .map(([, value]) => value);
        sent.push({ destinations, raw: form?.get('RawMessage.Data') ?? '', messageId });
        if (plan.loseResponseAfterSends !== undefined && accepted === plan.loseResponseAfterSends + 1) {
          req.socket.destroy();
          return;
        }
      }
      res.writeHead(upstream.status, upstream.headers);
      res.end(upstream.body);
    })().catch((error: unknown) => reply(res, 500, String(error)));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, HOST, resolve));
  return server;
}

function sesResponse(action: string, result: string): string {
  return `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

// The error document SES's query API returns; the SDK turns it into an error named by <Code>.
function sesError(code: string, message: string): string {
  return `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

function forward(
  target: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) };
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers }, (response) => {
      void readBody(response).then((responseBody) => {
        const responseHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection') responseHeaders[name] = value;
        }
        responseHeaders['content-length'] = String(responseBody.length);
        resolve({ status: response.statusCode ?? 502, headers: responseHeaders, body: responseBody });
      }, reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Idle keep-alive sockets from the SDK would hold close() open until they time out.
    server.closeAllConnections();
  });
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch {
      // Keep stopping the rest; one emulator failing to close must not leak the others.
    }
  }
}
