/**
 * Publishes the rendered site and feeds to the S3 bucket, uploading only files whose bytes changed.
 *
 * Unchanged bytes are never re-uploaded, so the object's ETag and Last-Modified stay put and CloudFront
 * and feed readers keep getting 304s. The stored ETags come from listings, cheaper than a HeadObject
 * per file, and only of the folders the files being published live in: a run that writes one digest
 * page lists `digests/<slug>/`, not the 10,000 pages beside it, and never `inbox/` or anything else
 * outside the site; a run that publishes nothing lists nothing. For single-part uploads S3's ETag is
 * the hex MD5 of the bytes, which we compute for ours. That holds for unencrypted and SSE-S3 objects
 * (the site bucket's setting); under SSE-KMS the ETag is not an MD5, every file would look changed and
 * be re-uploaded — safe, not cheap.
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SiteFile } from '../../core/model.js';
import type { PublishResult, SiteMark, SitePublisher } from '../../core/publish/ports.js';
import { parseSiteMark, serializeSiteMark } from '../../core/publish/site-mark.js';
import { isSitePath, outputFor, outputKey, publishStages } from '../../core/render/outputs.js';
import { SITE_MARK_KEY } from '../../shared/bucket-layout.js';
import { listObjects } from './s3-listing.js';

/** Uploads (and listings) in flight at once: enough to hide latency, few enough to stay far below S3's request rates. */
const UPLOAD_CONCURRENCY = 8;
/**
 * Past this many folders under one output's pattern (`digests/*`: one folder per page), the pattern's
 * whole folder is listed instead, 1,000 keys a request: a whole-site render of 10,000 digests takes 10
 * listings rather than 10,000.
 */
const FOLDERS_LISTED_ONE_BY_ONE = 16;

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
    const result: PublishResult = { written: [], unchanged: [] };
    if (files.length === 0) return result;
    const stored = await this.storedEtags(files.map((file) => file.path));
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

  /** The mark at {@link SITE_MARK_KEY} beside the site; none when the object is missing or unreadable. */
  async readMark(): Promise<SiteMark | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + SITE_MARK_KEY }));
      return object.Body ? parseSiteMark(await object.Body.transformToString('utf8')) : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw error;
    }
  }

  /** Writes or (for `undefined`) deletes the mark. */
  async writeMark(mark: SiteMark | undefined): Promise<void> {
    const Key = this.prefix + SITE_MARK_KEY;
    if (mark === undefined) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
      return;
    }
    const body = Buffer.from(serializeSiteMark(mark), 'utf8');
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key,
        Body: body,
        ContentType: 'application/json',
        ContentMD5: createHash('md5').update(body).digest('base64'),
      }),
    );
  }

  /**
   * Key → ETag (quotes stripped) of the stored objects in the folders of `paths`: one listing per folder
   * (with a delimiter, so `archive/` lists `archive/index.html` and not the numbered pages below it),
   * or the pattern's whole folder when the paths span many of its folders.
   */
  private async storedEtags(paths: readonly string[]): Promise<Map<string, string>> {
    const byOutput = new Map<string, Set<string>>();
    for (const path of paths) {
      const output = outputFor(path);
      const group = output && 'pattern' in output ? outputKey(output).slice(0, -1) : folderOf(path);
      byOutput.set(group, (byOutput.get(group) ?? new Set()).add(folderOf(path)));
    }
    const listings: { prefix: string; delimiter: boolean }[] = [];
    for (const [group, folders] of byOutput) {
      if (folders.size > FOLDERS_LISTED_ONE_BY_ONE) listings.push({ prefix: group, delimiter: false });
      else for (const folder of folders) listings.push({ prefix: folder, delimiter: true });
    }
    const etags = new Map<string, string>();
    await forEachLimited(listings, UPLOAD_CONCURRENCY, async ({ prefix, delimiter }) => {
      for (const object of await listObjects(this.s3, { bucket: this.bucket, prefix: this.prefix + prefix, folderOnly: delimiter })) {
        if (object.Key && object.ETag) etags.set(object.Key, object.ETag.replaceAll('"', ''));
      }
    });
    return etags;
  }
}

/** The folder part of a site path, with its slash (`digests/a/index.html` → `digests/a/`; `index.html` → ``). */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
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
