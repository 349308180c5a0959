/**
 * Articles dropped into the site bucket's `inbox/` prefix, so an operator can publish one with a single
 * `aws s3 cp` and no redeploy.
 *
 * Each object is read once: when the run has dealt with it (its digest stored, or found unchanged) it
 * moves to `processed/` under the same name, so a run lists and downloads only what arrived since the
 * last one, however many articles came before. Why move rather than remember each object's ETag: an ETag
 * index still lists every object ever uploaded on every run (1,000 keys a request) and reads the index
 * beside it; a moved object costs nothing after its own run. An article that failed (unreadable, refused,
 * not summarised) stays where the operator put it and is reported again by every run until it is fixed or
 * removed: nothing is lost, and a failure that was only transient (a model timeout) is retried.
 *
 * Its identity does not move with it: the article keeps the name it was read under (`inbox/…`), so a file
 * without id or url uploaded again after an edit updates its digest in place and mails nobody.
 */
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MAX_ARTICLE_BYTES } from '../../core/articles/parse.js';
import type { RawArticle, RefusedArticle } from '../../core/model.js';
import type { ArticleSource } from '../../core/publish/ports.js';
import { INBOX_PREFIX, PROCESSED_PREFIX } from '../../shared/bucket-layout.js';
import { articleFile } from '../article-files.js';
import { listObjects } from './s3-listing.js';

/** `ArticleSource` over every object under `prefix` (folder placeholder keys are ignored). */
export class S3ArticleSource implements ArticleSource {
  /** Key → ETag of every object the last `list()` read, for `settle` to move. */
  private listed = new Map<string, string | undefined>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = INBOX_PREFIX,
    private readonly processedPrefix = PROCESSED_PREFIX,
  ) {}

  /**
   * Every article under the prefix, named by its full key, sorted by key, in the format the key's
   * extension names (an object of another type comes back as a refusal naming it).
   */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    const objects: { key: string; size: number }[] = [];
    for (const object of await listObjects(this.s3, { bucket: this.bucket, prefix: this.prefix })) {
      if (object.Key && !object.Key.endsWith('/')) objects.push({ key: object.Key, size: object.Size ?? 0 });
    }
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.listed = new Map();
    return Promise.all(
      objects.map(async ({ key, size }) => {
        // An oversized upload is read only far enough for the parser to reject it by size, not into memory whole.
        const range = size > MAX_ARTICLE_BYTES ? `bytes=0-${MAX_ARTICLE_BYTES}` : undefined;
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
        if (!object.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
        this.listed.set(key, object.ETag);
        return articleFile(key, await object.Body.transformToByteArray());
      }),
    );
  }

  /**
   * Moves every object the run dealt with to the processed prefix (copy, then delete), leaving the
   * `failed` ones in the inbox. Both steps are conditional on the ETag that was read, so an object the
   * operator replaced in the meantime stays in the inbox for the next run.
   */
  async settle(failed: ReadonlySet<string>): Promise<void> {
    const done = [...this.listed].filter(([key]) => !failed.has(key));
    this.listed = new Map();
    for (const [key, etag] of done) {
      const target = this.processedPrefix + key.slice(this.prefix.length);
      try {
        await this.s3.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: target,
            CopySource: `${this.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
            ...(etag ? { CopySourceIfMatch: etag } : {}),
          }),
        );
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }));
      } catch (error) {
        // Replaced since it was read: the new upload is the next run's article.
        if (isPreconditionFailed(error)) continue;
        throw error;
      }
    }
  }
}

function isPreconditionFailed(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || (error as { name?: string }).name === 'PreconditionFailed';
}
