import { Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GazetteFunction } from './gazette-function.js';

/** Properties of {@link SubscriptionApi}. */
export interface SubscriptionApiProps {
  /** Project root to bundle from (defaults to the repository). */
  readonly projectRoot?: string;
  /** Steady-state requests per second across the API. @default 10 */
  readonly rateLimit?: number;
  /** Burst of requests the API accepts above the rate. @default 20 */
  readonly burstLimit?: number;
}

/** The routes of the subscription API, each `[method, path]`, all served by one function. */
export const SUBSCRIPTION_ROUTES = [
  [apigw.HttpMethod.POST, '/api/subscribe'],
  [apigw.HttpMethod.GET, '/api/confirm'],
  [apigw.HttpMethod.GET, '/api/unsubscribe'],
  [apigw.HttpMethod.POST, '/api/unsubscribe'],
] as const;

// HTTP APIs have their own $context variables; the REST API presets name some that do not exist here.
const HTTP_API_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  time: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
});

/**
 * The subscription endpoints (subscribe, confirm, one-click unsubscribe): an HTTP API with stage
 * throttling and access logs in front of functions/handlers/subscription-api.ts. Readers reach it
 * under the site's own domain (`/api/*` on the distribution), so forms post same-origin.
 */
export class SubscriptionApi extends Construct {
  /** The HTTP API. */
  readonly httpApi: apigw.HttpApi;
  /** The function behind every route. */
  readonly function: GazetteFunction;
  /** CloudFront origin for the API (depends only on the API itself, never on the functions). */
  readonly origin: origins.HttpOrigin;

  constructor(scope: Construct, id: string, props: SubscriptionApiProps = {}) {
    super(scope, id);

    this.function = new GazetteFunction(this, 'Handler', {
      entry: 'functions/handlers/subscription-api.ts',
      description: 'Gazette subscription API: subscribe, confirm, unsubscribe',
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
    });

    this.httpApi = new apigw.HttpApi(this, 'Api', {
      description: 'Gazette subscription API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new apigw.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 10, burstLimit: props.burstLimit ?? 20 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(HTTP_API_ACCESS_LOG_FORMAT),
      },
    });

    const integration = new HttpLambdaIntegration('Handler', this.function.function);
    for (const [method, path] of SUBSCRIPTION_ROUTES) {
      this.httpApi.addRoutes({ path, methods: [method], integration });
    }
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Public subscription endpoints used by anonymous readers; confirm and unsubscribe are authorised by purpose-bound HMAC tokens in the handler, subscribe by double opt-in.',
    });

    // apiEndpoint is https://<id>.execute-api.<region>.amazonaws.com; CloudFront wants the host only.
    this.origin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', this.httpApi.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
  }
}
