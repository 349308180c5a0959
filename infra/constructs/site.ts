import { fileURLToPath } from 'node:url';
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SITE_CONTENT_SECURITY_POLICY } from '../../functions/core/render/assets.js';
import { siteObjectKeys } from '../../functions/core/render/outputs.js';
import { INBOX_PREFIX, PROCESSED_PREFIX, SITE_MARK_KEY } from '../../functions/shared/bucket-layout.js';
import { ENV } from '../../functions/shared/env-names.js';
import { API_PREFIX } from '../../functions/core/subscriptions/links.js';
import type { ConfigurableFunction } from './gazette-function.js';
import { nagArnOf } from './nag.js';

/**
 * Object keys the publisher may write, one per output of the registry (functions/core/render/outputs.ts):
 * the site lives at these keys and nowhere else, so a bug in the publisher can never overwrite the
 * articles waiting under `inbox/` or anything else in the bucket.
 */
export const SITE_OBJECT_KEYS: readonly string[] = siteObjectKeys();

/** Prefix under which operators drop articles for the next run (functions/shared/bucket-layout.ts). */
export { INBOX_PREFIX, PROCESSED_PREFIX };

/**
 * Content-Security-Policy of every page, owned by the renderer that writes the pages: nothing loads from
 * elsewhere and only the hashes of its one inline style and one inline script may run.
 */
export const CONTENT_SECURITY_POLICY = SITE_CONTENT_SECURITY_POLICY;

/** Path of the viewer-request CloudFront Function that serves index.html for digest permalinks. */
export const SITE_REQUEST_FUNCTION_FILE = fileURLToPath(new URL('./site-request.cf.js', import.meta.url));

/**
 * The viewer-request function as deployed: the file, with the site's object keys filled in, so the
 * function refuses every other path (inbox/ above all) from the one list the bucket policy uses too.
 */
export function siteRequestFunctionSource(): string {
  const source = readFileSync(SITE_REQUEST_FUNCTION_FILE, 'utf8');
  const placeholder = '/* SITE_OBJECT_KEYS */ []';
  if (!source.includes(placeholder)) throw new Error(`${SITE_REQUEST_FUNCTION_FILE} has no ${placeholder} to fill in`);
  return source.replace(placeholder, JSON.stringify(SITE_OBJECT_KEYS));
}

/** Properties of {@link Site}. */
export interface SiteProps {
  /**
   * The site's own host name and the ACM certificate (us-east-1) CloudFront serves it with; without
   * them readers use the distribution's `*.cloudfront.net` name.
   */
  readonly customDomain?: { readonly name: string; readonly certificateArn: string };
}

/**
 * The public face: a private, versioned S3 bucket holding the site and feeds, served only through
 * CloudFront with Origin Access Control (a direct S3 URL answers 403), with HTTPS, compression,
 * index documents for permalinks and security headers. Access logs of both go to a separate bucket.
 */
export class Site extends Construct {
  /** The bucket with the site at its root and articles under `inbox/`. */
  readonly bucket: s3.Bucket;
  /** Receives S3 server access logs and CloudFront standard logs. */
  readonly logBucket: s3.Bucket;
  /** The CloudFront distribution readers use. */
  readonly distribution: cloudfront.Distribution;
  /** The public base URL, ending in `/`. */
  readonly baseUrl: string;
  /** Security headers for every response, pages from the API included. */
  private readonly securityHeaders: cloudfront.ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: SiteProps = {}) {
    super(scope, id);
    this.logBucket = this.createLogBucket();
    this.bucket = this.createSiteBucket(this.logBucket);
    this.securityHeaders = this.createSecurityHeaders();
    this.distribution = this.createDistribution(props.customDomain);
    // The one place the public base URL is decided: every function, output and link takes it from here.
    this.baseUrl = `https://${props.customDomain?.name ?? this.distribution.distributionDomainName}/`;
    this.allowCloudFrontReads();
  }

  /** Receives both access logs, kept 90 days. */
  private createLogBucket(): s3.Bucket {
    const logBucket = new s3.Bucket(this, 'Logs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // CloudFront standard logging writes with ACLs, so this one bucket keeps them enabled.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });
    return logBucket;
  }

  /** Private and versioned; its server access logs go to `logBucket`. */
  private createSiteBucket(logBucket: s3.Bucket): s3.Bucket {
    return new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/',
      // Versions make a bad publish recoverable; old ones need not live forever.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });
  }

  /** The viewer-request function that maps permalinks to their index documents. */
  private indexDocumentsFunction(): cloudfront.Function {
    return new cloudfront.Function(this, 'IndexDocuments', {
      code: cloudfront.FunctionCode.fromInline(siteRequestFunctionSource()),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serves index.html for /digests/<slug>/ and /digests/<slug>',
    });
  }

  private createSecurityHeaders(): cloudfront.ResponseHeadersPolicy {
    return new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Gazette security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
      },
    });
  }

  /** HTTPS only, compressed, cached as the publisher's Cache-Control says, logged; with the checks it answers for. */
  private createDistribution(customDomain: SiteProps['customDomain']): cloudfront.Distribution {
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Gazette site and feeds',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        // LIST, so a missing page is S3's 404 (shown as 404.html) rather than a 403. READ is granted
        // below for the site's own keys only: CDK's READ would cover bucket/*, inbox/ included.
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessLevels: [cloudfront.AccessLevel.LIST],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        compress: true,
        // Honours the Cache-Control max-age the publisher sets on every object.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [{ function: this.indexDocumentsFunction(), eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      errorResponses: [{ httpStatus: 404, responseHttpStatus: 404, responsePagePath: '/404.html', ttl: Duration.minutes(5) }],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(customDomain
        ? {
            domainNames: [customDomain.name],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
            // With a certificate of our own CloudFront lets us refuse TLS before 1.2.
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A public newsletter and feed for readers anywhere; there is no country to exclude.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static pages and a throttled subscription API with per-address cooldowns; a WAF web ACL (from $5/month) is left to operators who need it.',
      },
      {
        id: '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
        reason:
          'CloudFront may list the bucket only so missing pages are 404s; "/" is served as index.html (defaultRootObject and the viewer-request function), and query strings never reach S3, so no listing is ever returned.',
      },
    );
    if (!customDomain) {
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront does not let us pick the minimum TLS version; viewers are redirected to HTTPS.',
      });
    }
    return distribution;
  }

  /** CloudFront (this distribution only) may read the site's own keys, never `inbox/`. */
  private allowCloudFrontReads(): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: SITE_OBJECT_KEYS.map((key) => this.bucket.arnForObjects(key)),
        conditions: {
          StringEquals: {
            'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${this.distribution.distributionId}`,
          },
        },
      }),
    );
  }

  /**
   * Lets `fn` publish the site: write the site's keys only ({@link SITE_OBJECT_KEYS}), keep the site's
   * mark, read the articles under `inbox/` and move each one it dealt with to `processed/` (copy, then
   * delete), and list the bucket (the inbox's articles, and the stored ETags of the files it is about to
   * write); sets GAZETTE_SITE_BUCKET and GAZETTE_SITE_BASE_URL.
   */
  grantPublish(fn: ConfigurableFunction): void {
    this.grantBaseUrl(fn);
    fn.addEnvironment(ENV.siteBucket, this.bucket.bucketName);
    // Writes only: the publisher learns what is stored (ETags) from listings, never reads pages back.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:PutObject'],
      resourceArns: SITE_OBJECT_KEYS.map((key) => this.bucket.arnForObjects(key)),
    });
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:GetObject', 's3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(`${INBOX_PREFIX}*`)],
    });
    // The copy target of a processed article: written, never read back.
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['s3:PutObject'], resourceArns: [this.bucket.arnForObjects(`${PROCESSED_PREFIX}*`)] });
    // The site's mark (what it was last rendered from): one key, read, replaced and removed.
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resourceArns: [this.bucket.arnForObjects(SITE_MARK_KEY)],
    });
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn] });

    const arn = nagArnOf(this.bucket);
    const wildcardKeys = [...SITE_OBJECT_KEYS, `${INBOX_PREFIX}*`, `${PROCESSED_PREFIX}*`].filter((key) => key.includes('*'));
    Validations.of(fn).acknowledge(
      ...wildcardKeys.map((key) => ({
        id: `AwsSolutions-IAM5[Resource::${arn}/${key}]`,
        reason: key.startsWith(INBOX_PREFIX)
          ? 'The publisher reads any article dropped under inbox/ and removes it once moved to processed/; only that prefix.'
          : key.startsWith(PROCESSED_PREFIX)
            ? 'The publisher moves each article it dealt with from inbox/ to the same name under processed/; write-only, and only that prefix.'
            : `The publisher writes the site's generated files under ${key} (one per digest, page or feed); write-only, and only that prefix.`,
      })),
    );
  }

  /** Sets GAZETTE_SITE_BASE_URL so `fn` can build links back to the site (no bucket access). */
  grantBaseUrl(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.siteBaseUrl, this.baseUrl);
  }

  /**
   * Serves `/api/*` from `origin` under the same domain: no caching, every method, and all viewer
   * query strings, cookies and headers forwarded except Host (API Gateway must see its own host name).
   */
  addApi(origin: cloudfront.IOrigin): void {
    this.distribution.addBehavior(`/${API_PREFIX}*`, origin, {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.securityHeaders,
      compress: true,
    });
  }
}
