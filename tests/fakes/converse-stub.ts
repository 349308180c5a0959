/**
 * A loopback stand-in for Bedrock Runtime's `POST /model/{modelId}/converse`, for tests that drive the
 * REAL SDK client (signing, serialisation, error parsing) with `endpoint` pointed here. It speaks
 * cleartext HTTP/2 (node:http2's compatibility API, the same request/response objects as node:http):
 * the Bedrock Runtime client sends over HTTP/2 by default, so the client stays exactly as it ships.
 * Listens on 127.0.0.1, port 0.
 */
import { once } from 'node:events';
import { createServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { DIGEST_TOOL_NAME } from '../../functions/core/model-summary/prompt.js';

/** One request the stub received. */
export interface ReceivedConverse {
  method: string;
  url: string;
  authorization: string;
  body: ConverseCommandInput & Record<string, unknown>;
}

/** Answers one request; may look at it (and may never answer, to test timeouts). */
export type ConverseReply = (response: Http2ServerResponse, request: ReceivedConverse) => void;

/** A running stub. */
export interface ConverseStub {
  endpoint: string;
  received: ReceivedConverse[];
  /** Replies for the next requests, in order; a request with none queued gets a 500. */
  replies: ConverseReply[];
  /** Ends every open session (a reply held back on purpose must not keep a socket open). */
  closeSessions(): void;
  close(): Promise<void>;
}

/** A JSON reply with `status`. */
export const jsonReply =
  (status: number, body: string, headers: Record<string, string> = {}): ConverseReply =>
  (response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(body);
  };

/** Token usage the stub reports for every answer. */
export const STUB_USAGE = { inputTokens: 812, outputTokens: 236, totalTokens: 1048 };

/** A Converse response body as the service sends it, calling the digest tool with `input`. */
export function converseBody(input: unknown, stopReason = 'tool_use'): string {
  return JSON.stringify({
    output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_1', name: DIGEST_TOOL_NAME, input } }] } },
    stopReason,
    usage: STUB_USAGE,
    metrics: { latencyMs: 420 },
  });
}

/** The numbered lines of a received prompt, by number (`[3] text` → 3 → text). */
export function promptLines(request: ReceivedConverse): Map<number, string> {
  const text = request.body.messages?.[0]?.content?.[0]?.text ?? '';
  const lines = new Map<number, string>();
  for (const match of text.matchAll(/^\[(\d+)\] (.*)$/gm)) lines.set(Number(match[1]), match[2] ?? '');
  return lines;
}

/** Starts the stub. */
export async function startConverseStub(): Promise<ConverseStub> {
  const received: ReceivedConverse[] = [];
  const replies: ConverseReply[] = [];
  const sessions = new Set<ServerHttp2Session>();
  const server = createServer((request: Http2ServerRequest, response: Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedConverse = {
        method: request.method,
        url: request.url,
        authorization: String(request.headers.authorization ?? ''),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedConverse['body'],
      };
      received.push(entry);
      (replies.shift() ?? jsonReply(500, JSON.stringify({ message: 'the test queued no reply' })))(response, entry);
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const closeSessions = (): void => {
    for (const session of sessions) session.destroy();
  };
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    replies,
    closeSessions,
    async close() {
      closeSessions();
      server.close();
      await once(server, 'close');
    },
  };
}
