/**
 * A loopback stand-in for the two AWS control-plane APIs the operator commands call, speaking their
 * real wire protocols so the real SDK v3 clients talk to it unchanged (there is no CloudFormation or
 * Lambda emulator on npm here):
 *
 * - CloudFormation's query protocol: `POST /` with a form body `Action=DescribeStacks&StackName=…`,
 *   answered with the XML document (and, for an unknown stack, the `ValidationError` error document) AWS sends;
 * - Lambda's REST API: `POST /2015-03-31/functions/NAME/invocations` runs the function in-process (a
 *   thrown error becomes the `X-Amz-Function-Error: Unhandled` answer), and
 *   `GET /2015-03-31/functions/NAME/configuration` answers its environment.
 *
 * Every request must be SigV4-signed (an `Authorization: AWS4-HMAC-SHA256 …` header), as AWS demands.
 * It listens on 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stack DescribeStacks knows. */
export interface FakeStack {
  status?: string;
  outputs: Record<string, string>;
}

/** The part of the Lambda context a Gazette handler reads. */
export interface FakeLambdaContext {
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** A function Invoke runs in this process. */
export interface FakeFunction {
  /** Its environment variables, as GetFunctionConfiguration answers them. */
  variables: Record<string, string>;
  /** @default 900 (the publisher's 15 minutes) */
  timeoutSeconds?: number;
  handler(event: unknown, context: FakeLambdaContext): Promise<unknown>;
}

/** One request the stand-in answered. */
export interface ControlPlaneCall {
  service: 'cloudformation' | 'lambda';
  action: string;
  target: string;
  /** Lambda only: the invocation type header and the payload. */
  invocationType?: string;
  payload?: string;
}

/** The running stand-in. */
export interface ControlPlane {
  /** Base URL for both clients' `endpoint`. */
  endpoint: string;
  calls: ControlPlaneCall[];
  close(): Promise<void>;
}

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const LAMBDA_PATH = /^\/2015-03-31\/functions\/([^/]+)\/(invocations|configuration)$/;

/** Starts the stand-in with these stacks and functions (looked up by name, or by the name at the end of an ARN). */
export async function startControlPlane(setup: {
  stacks: Record<string, FakeStack>;
  functions: Record<string, FakeFunction>;
}): Promise<ControlPlane> {
  const calls: ControlPlaneCall[] = [];
  const server = createServer((req, res) => {
    void answer(req, res, setup, calls).catch((error: unknown) => send(res, 500, 'text/plain', String(error)));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  setup: { stacks: Record<string, FakeStack>; functions: Record<string, FakeFunction> },
  calls: ControlPlaneCall[],
): Promise<void> {
  const body = await readBody(req);
  if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
    return send(res, 403, 'application/json', JSON.stringify({ message: 'Missing Authentication Token' }));
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const lambda = LAMBDA_PATH.exec(url.pathname);
  if (lambda) return answerLambda(req, res, setup.functions, calls, decodeURIComponent(lambda[1]!), lambda[2]!, body);
  if (req.method === 'POST' && url.pathname === '/') {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    const name = form.get('StackName') ?? '';
    calls.push({ service: 'cloudformation', action, target: name });
    if (action !== 'DescribeStacks') return send(res, 400, 'text/xml', cfnError('InvalidAction', `${action} is not served here`));
    const stack = Object.hasOwn(setup.stacks, name) ? setup.stacks[name] : undefined;
    if (!stack) return send(res, 400, 'text/xml', cfnError('ValidationError', `Stack with id ${name} does not exist`));
    return send(res, 200, 'text/xml', describeStacksXml(name, stack));
  }
  return send(res, 404, 'text/plain', 'not found');
}

async function answerLambda(
  req: IncomingMessage,
  res: ServerResponse,
  functions: Record<string, FakeFunction>,
  calls: ControlPlaneCall[],
  target: string,
  operation: string,
  body: string,
): Promise<void> {
  const name = target.split(':').find((part, index, parts) => parts[index - 1] === 'function') ?? target;
  const fn = Object.hasOwn(functions, name) ? functions[name] : undefined;
  const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  calls.push({
    service: 'lambda',
    action: operation === 'invocations' ? 'Invoke' : 'GetFunctionConfiguration',
    target,
    ...(operation === 'invocations' ? { invocationType, payload: body } : {}),
  });
  if (!fn) {
    return send(res, 404, 'application/json', JSON.stringify({ Type: 'User', message: `Function not found: ${functionArn(name)}` }), {
      'x-amzn-errortype': 'ResourceNotFoundException',
    });
  }
  const timeoutSeconds = fn.timeoutSeconds ?? 900;
  if (operation === 'configuration' && req.method === 'GET') {
    return send(
      res,
      200,
      'application/json',
      JSON.stringify({
        FunctionName: name,
        FunctionArn: functionArn(name),
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Timeout: timeoutSeconds,
        MemorySize: 512,
        Environment: { Variables: fn.variables },
      }),
    );
  }
  if (operation !== 'invocations' || req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
  if (invocationType !== 'RequestResponse')
    return send(res, 400, 'application/json', JSON.stringify({ message: 'only RequestResponse here' }));
  const requestId = randomUUID();
  const deadline = Date.now() + timeoutSeconds * 1000;
  const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
  let result: unknown;
  try {
    result = await fn.handler(body ? (JSON.parse(body) as unknown) : {}, {
      awsRequestId: requestId,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    const document = { errorType: failure.name, errorMessage: failure.message, trace: (failure.stack ?? '').split('\n') };
    return send(res, 200, 'application/json', JSON.stringify(document), { ...headers, 'x-amz-function-error': 'Unhandled' });
  }
  return send(res, 200, 'application/json', JSON.stringify(result ?? null), headers);
}

function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function describeStacksXml(name: string, stack: FakeStack): string {
  const outputs = Object.entries(stack.outputs)
    .map(([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`)
    .join('');
  return `<DescribeStacksResponse xmlns="${CFN_NS}"><DescribeStacksResult><Stacks><member><StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${xml(name)}/${randomUUID()}</StackId><CreationTime>2026-11-01T07:00:00.000Z</CreationTime><StackStatus>${xml(stack.status ?? 'CREATE_COMPLETE')}</StackStatus><Outputs>${outputs}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`;
}

function cfnError(code: string, message: string): string {
  return `<ErrorResponse xmlns="${CFN_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      .on('error', reject);
  });
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
