/**
 * Publishes the rendered site and feeds to the S3 bucket, uploading only files whose bytes changed.
 *
 * Unchanged bytes are never re-uploaded, so the object's ETag and Last-Modified stay put and CloudFront
 * and feed readers keep getting 304s. One ListObjectsV2 per publish gives every stored ETag (cheaper
 * than a HeadObject per file); for single-part uploads S3's ETag is the hex MD5 of the bytes, which we
 * compute for ours. That holds for unencrypted and SSE-S3 objects (the site bucket's setting); under
 * SSE-KMS the ETag is not an MD5, every file would look changed and be re-uploaded — safe, not cheap.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SiteFile } from '../../core/model.js';
import type { PublishResult, SitePublisher } from '../../core/publish/ports.js';
import { isSitePath, publishStages } from '../../core/render/outputs.js';

/** Uploads in flight at once: enough to hide latency, few enough to stay far below S3's request rates. */
const UPLOAD_CONCURRENCY = 8;

/** `SitePublisher` over an S3 bucket; the site lives under `prefix` (the bucket root by default). */
export class S3SitePublisher implements SitePublisher {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = '',
  ) {}

  /** Deletes the objects (only site keys of the registry); S3 answers success for a missing key. */
  async remove(paths: string[]): Promise<void> {
    for (const path of paths) {
      if (!isSitePath(path)) throw new Error(`refusing to remove "${path}": not a site path`);
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${path}` }));
    }
  }

  /** Uploads changed files, one publish stage of the output registry after the other (pages before feeds). */
  async publish(files: SiteFile[]): Promise<PublishResult> {
    const stages = publishStages(files);
    const stored = await this.storedEtags();
    const result: PublishResult = { written: [], unchanged: [] };
    // Each stage completes before the next starts, so a page or feed never links to a page not yet there.
    for (const stage of stages) {
      const batch: { file: SiteFile; md5: Buffer }[] = [];
      for (const file of stage) {
        const md5 = createHash('md5').update(file.body).digest();
        if (stored.get(this.prefix + file.path) === md5.toString('hex')) result.unchanged.push(file.path);
        else batch.push({ file, md5 });
      }
      await forEachLimited(batch, UPLOAD_CONCURRENCY, async ({ file, md5 }) => {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + file.path,
            Body: file.body,
            ContentType: file.contentType,
            CacheControl: file.cacheControl,
            // S3 rejects the upload if the bytes arriving differ from what we hashed.
            ContentMD5: md5.toString('base64'),
          }),
        );
      });
      result.written.push(...batch.map(({ file }) => file.path));
    }
    return result;
  }

  /** Key → ETag (quotes stripped) of every object under the prefix. */
  private async storedEtags(): Promise<Map<string, string>> {
    const etags = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix || undefined, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.ETag) etags.set(object.Key, object.ETag.replaceAll('"', ''));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return etags;
  }
}

async function forEachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
