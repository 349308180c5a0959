/**
 * The subscription API's edge on API Gateway (HTTP API, payload v2): the event becomes the core's plain
 * HTTP request and the core's answer becomes the Lambda result. Shared by the Lambda handler, the local
 * servers (`npm run serve`, `npm run dev`) and the tests, none of which need the AWS SDK for it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Clock } from '../../core/publish/ports.js';
import { handleSubscriptionRequest, type HttpRequest, type SubscriptionApiDeps } from './subscription-http.js';

/** A Lambda-shaped API handler (also what the dev server and the tests mount). */
export type SubscriptionApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The client's IP: the right-most `X-Forwarded-For` entry is the one CloudFront appended (entries to
 * its left come from the client and can be forged); without the header, API Gateway's source IP.
 * Trustworthy only because the core refuses requests that did not come through CloudFront (origin-verify).
 */
export function clientIp(event: APIGatewayProxyEventV2): string | undefined {
  const forwarded = event.headers?.['x-forwarded-for']
    ?.split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return forwarded?.at(-1) ?? event.requestContext?.http?.sourceIp;
}

/** Converts an API Gateway v2 event to the core's request. */
export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const body =
    event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const ip = clientIp(event);
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(ip ? { ip } : {}),
  };
}

/** Builds the Lambda-shaped handler over ready deps; `clock` defaults to the system clock. */
export function createSubscriptionApi(deps: SubscriptionApiDeps, clock: Clock = { now: () => new Date() }): SubscriptionApiHandler {
  return async (event) => {
    const response = await handleSubscriptionRequest(deps, toHttpRequest(event), clock.now());
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
}
