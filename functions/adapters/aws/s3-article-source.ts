/**
 * Articles dropped into the site bucket's `inbox/` prefix, so an operator can publish one with a single
 * `aws s3 cp` and no redeploy.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ArticleSource, RawArticle } from '../../core/publish/ports.js';

/** `ArticleSource` over every object under `prefix` (folder placeholder keys are ignored). */
export class S3ArticleSource implements ArticleSource {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = 'inbox/',
  ) {}

  /** Every article under the prefix, named by its full key, sorted by key. */
  async list(): Promise<RawArticle[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    return Promise.all(
      keys.map(async (key) => {
        const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        if (!object.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
        return { name: key, bytes: await object.Body.transformToByteArray() };
      }),
    );
  }
}
