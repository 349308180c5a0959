/**
 * Articles dropped into the site bucket's `inbox/` prefix, so an operator can publish one with a single
 * `aws s3 cp` and no redeploy.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { MAX_ARTICLE_BYTES } from '../../core/articles/parse.js';
import type { RawArticle, RefusedArticle } from '../../core/model.js';
import type { ArticleSource } from '../../core/publish/ports.js';
import { articleFile } from '../article-files.js';

/** `ArticleSource` over every object under `prefix` (folder placeholder keys are ignored). */
export class S3ArticleSource implements ArticleSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'inbox/',
  ) {}

  /**
   * Every article under the prefix, named by its full key, sorted by key, in the format the key's
   * extension names (an object of another type comes back as a refusal naming it).
   */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    const objects: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) objects.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return Promise.all(
      objects.map(async ({ key, size }) => {
        // An oversized upload is read only far enough for the parser to reject it by size, not into memory whole.
        const range = size > MAX_ARTICLE_BYTES ? `bytes=0-${MAX_ARTICLE_BYTES}` : undefined;
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range }));
        if (!object.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
        return articleFile(key, await object.Body.transformToByteArray());
      }),
    );
  }
}
