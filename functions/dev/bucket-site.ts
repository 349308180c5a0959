/**
 * The site of `npm run dev`, read straight out of the (emulated) S3 bucket with each object's stored
 * content type, cache header, ETag and Last-Modified — so what the site server shows is what CloudFront
 * would serve.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SiteSource } from '../cli/site-server.js';

/** A {@link SiteSource} over the bucket holding the site (objects at the root, as published). */
export function bucketSite(s3: S3Client, bucket: string): SiteSource {
  return async (key) => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return {
        body: Buffer.from(await object.Body!.transformToByteArray()),
        contentType: object.ContentType ?? 'application/octet-stream',
        cacheControl: object.CacheControl ?? 'no-cache',
        // S3 always sends both; the fallbacks only keep a misbehaving emulator from breaking the page.
        etag: object.ETag ?? '""',
        lastModified: object.LastModified ?? new Date(0),
      };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404 || (error as Error).name === 'NoSuchKey')
        return undefined;
      throw error;
    }
  };
}
