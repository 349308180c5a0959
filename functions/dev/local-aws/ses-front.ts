/**
 * A small HTTP front for aws-ses-v2-local. The emulator has no `GetSendQuota` or `GetSendStatistics`
 * (the request would hang) and keeps only a parsed copy of each mail (its headers are lost), so the
 * front answers both (the statistics from the sends it accepted, bounces and complaints from the plan),
 * keeps the raw bytes of every accepted message, can inject SES's own throttling and quota errors and
 * lose a response after the send, and passes everything else (the web inbox at `/`, `GET /store`)
 * through to the emulator.
 *
 * `setSesFaults`, `sesStats`, `capturedSends` and `sesStore` are the client side of its controls, for
 * the integration and e2e tests.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Every emulator listens on loopback only. */
export const LOCAL_HOST = '127.0.0.1';

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
  /**
   * Recipients refused as the SES sandbox refuses an address nobody verified: `MessageRejected`,
   * "Email address is not verified. The following identities failed the check in region …: <address>".
   */
  unverifiedRecipients?: string[];
  /** `Max24HourSend` reported by `GetSendQuota` (default 50,000; the sandbox's is 200). */
  max24HourSend?: number;
  /** Bounces, complaints and SES rejects `GetSendStatistics` reports next to the accepted sends. */
  statistics?: { bounces?: number; complaints?: number; rejects?: number };
  /** Milliseconds each send waits before it is answered: a region's round trip, for the sending bench. */
  latencyMs?: number;
  /**
   * Answer sends here with a fresh MessageId instead of handing them to aws-ses-v2-local, keeping only
   * their recipients: the emulator parses every mail with mailparser (~6.5 ms each), which would cap a
   * sending benchmark at the emulator's speed, not the sender's.
   */
  acceptWithoutEmulator?: boolean;
}

/** One message as SES received it on the wire. */
export interface CapturedSend {
  destinations: string[];
  /** The raw RFC 5322 message, base64. */
  raw: string;
  messageId: string;
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

/**
 * How many accepted messages went to each recipient since start: what a benchmark needs to count
 * duplicates and losses among thousands of mails without fetching their bytes.
 */
export async function acceptedByRecipient(sesEndpoint: string): Promise<Record<string, number>> {
  const response = await fetch(`${sesEndpoint}/__gazette/accepted`);
  if (!response.ok) throw new Error(`SES front: ${response.status}`);
  return (await response.json()) as Record<string, number>;
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

/** An answer the front gives itself: status, body and content type. */
type Answer = [status: number, body: string, contentType?: string];

/** The fault plan and what the front has counted since it was set (the stats count since start). */
interface FrontState {
  plan: SesFaultPlan;
  sendRequests: number;
  accepted: number;
  // Sends let through the quota check, counted before they are forwarded: with several sends in flight
  // the quota must hold for the ones still on their way, as SES's own count does.
  admitted: number;
  readonly sent: CapturedSend[];
  readonly stats: { quotaReads: number; sendRequests: number };
}

/** The `/__gazette/*` control routes: set the plan, read the counts and the captured mail. */
function controlAnswer(front: FrontState, req: IncomingMessage, body: Buffer): Answer | undefined {
  if (req.url === '/__gazette/faults' && req.method === 'POST') {
    front.plan = JSON.parse(body.toString('utf8') || '{}') as SesFaultPlan;
    front.sendRequests = 0;
    front.accepted = 0;
    front.admitted = 0;
    return [204, ''];
  }
  if (req.method !== 'GET') return undefined;
  if (req.url === '/__gazette/stats') return [200, JSON.stringify(front.stats), 'application/json'];
  if (req.url === '/__gazette/sent') return [200, JSON.stringify(front.sent), 'application/json'];
  if (req.url === '/__gazette/accepted') {
    const counts: Record<string, number> = {};
    for (const send of front.sent) for (const recipient of send.destinations) counts[recipient] = (counts[recipient] ?? 0) + 1;
    return [200, JSON.stringify(counts), 'application/json'];
  }
  return undefined;
}

/** GetSendQuota and GetSendStatistics, answered from the plan and the count of accepted mail. */
function accountAnswer(front: FrontState, action: string | null | undefined): Answer | undefined {
  const { plan } = front;
  if (action === 'GetSendQuota') {
    front.stats.quotaReads += 1;
    const quota = `<SentLast24Hours>${front.accepted}</SentLast24Hours><Max24HourSend>${plan.max24HourSend ?? 50000}</Max24HourSend><MaxSendRate>${plan.maxSendRate ?? 1000}</MaxSendRate>`;
    return [200, sesResponse('GetSendQuota', quota), 'text/xml'];
  }
  if (action === 'GetSendStatistics') {
    // One 15-minute data point holding everything since the plan was set, as SES sums a quiet fortnight.
    const { bounces = 0, complaints = 0, rejects = 0 } = plan.statistics ?? {};
    const point = `<member><Timestamp>${new Date().toISOString()}</Timestamp><DeliveryAttempts>${front.accepted}</DeliveryAttempts><Bounces>${bounces}</Bounces><Complaints>${complaints}</Complaints><Rejects>${rejects}</Rejects></member>`;
    return [200, sesResponse('GetSendStatistics', `<SendDataPoints>${point}</SendDataPoints>`), 'text/xml'];
  }
  return undefined;
}

/** The planned refusal of this send, if any (throttling, quota, suppression, unverified); else admits it. */
async function sendFault(front: FrontState, recipients: string[]): Promise<Answer | undefined> {
  const { plan } = front;
  front.sendRequests += 1;
  front.stats.sendRequests += 1;
  if (plan.throttleRequests?.includes(front.sendRequests))
    return [400, sesError('Throttling', 'Maximum sending rate exceeded.'), 'text/xml'];
  if (plan.latencyMs) await new Promise((resolve) => setTimeout(resolve, plan.latencyMs));
  if (plan.quotaAfterSends !== undefined && front.admitted >= plan.quotaAfterSends)
    return [400, sesError('Throttling', 'Daily message quota exceeded.'), 'text/xml'];
  if (recipients.some((recipient) => plan.rejectRecipients?.includes(recipient))) {
    return [400, sesError('MessageRejected', 'Email address is on the suppression list.'), 'text/xml'];
  }
  const unverified = recipients.filter((recipient) => plan.unverifiedRecipients?.includes(recipient));
  if (unverified.length > 0) {
    const detail = `Email address is not verified. The following identities failed the check in region EU-WEST-1: ${unverified.join(', ')}`;
    return [400, sesError('MessageRejected', escapeXml(detail)), 'text/xml'];
  }
  front.admitted += 1;
  return undefined;
}

/** Starts the front on `port` (0 = any free port), forwarding to the SES emulator at `target`. */
export async function startSesFront(target: string, port: number): Promise<Server> {
  const front: FrontState = { plan: {}, sendRequests: 0, accepted: 0, admitted: 0, sent: [], stats: { quotaReads: 0, sendRequests: 0 } };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const form = req.method === 'POST' && req.url === '/' ? new URLSearchParams(body.toString('utf8')) : undefined;
    const action = form?.get('Action');
    const isSend = action === 'SendRawEmail' || action === 'SendEmail';
    const recipients = [...(form?.entries() ?? [])].filter(([key]) => key.startsWith('Destinations.member.')).map(([, value]) => value);
    const own =
      controlAnswer(front, req, body) ?? accountAnswer(front, action) ?? (isSend ? await sendFault(front, recipients) : undefined);
    if (own) return reply(res, ...own);
    if (isSend && front.plan.acceptWithoutEmulator) {
      front.accepted += 1;
      const messageId = randomUUID();
      front.sent.push({ destinations: recipients, raw: '', messageId });
      return reply(res, 200, sesResponse(action, `<MessageId>${messageId}</MessageId>`), 'text/xml');
    }
    const upstream = await forward(target, req, body);
    if (isSend && upstream.status === 200) {
      front.accepted += 1;
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(upstream.body.toString('utf8'))?.[1] ?? '';
      front.sent.push({ destinations: recipients, raw: form?.get('RawMessage.Data') ?? '', messageId });
      if (front.plan.loseResponseAfterSends !== undefined && front.accepted === front.plan.loseResponseAfterSends + 1) {
        req.socket.destroy();
        return;
      }
    }
    res.writeHead(upstream.status, upstream.headers);
    res.end(upstream.body);
  };
  const server = createServer((req, res) => void handle(req, res).catch((error: unknown) => reply(res, 500, String(error))));
  // The SDK keeps idle sockets open without a limit; Node's 5-second default would close one just as a
  // paced sender reuses it (ECONNRESET, "socket hang up"), a race real SES endpoints do not show.
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, LOCAL_HOST, resolve));
  return server;
}

function sesResponse(action: string, result: string): string {
  return `<${action}Response xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

// The error document SES's query API returns; the SDK turns it into an error named by <Code>.
function sesError(code: string, message: string): string {
  return `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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

const NO_KEEP_ALIVE = new Agent({ keepAlive: false });

function forward(
  target: string,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) };
    // A fresh connection per request: reusing one the emulator is about to close (its 5-second
    // keep-alive) would turn a send into a spurious 500 under load.
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers, agent: NO_KEEP_ALIVE }, (response) => {
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
