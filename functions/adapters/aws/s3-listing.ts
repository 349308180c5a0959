/**
 * Every object under a prefix of a bucket, following ListObjectsV2's pages (1,000 keys each): the one
 * paging loop of the inbox source and the site publisher.
 */
import { ListObjectsV2Command, type _Object, type S3Client } from '@aws-sdk/client-s3';

/** What to list: the bucket, the prefix, and whether to stop at the next `/` (that folder's own objects only). */
export interface Listing {
  bucket: string;
  prefix?: string;
  folderOnly?: boolean;
}

/** The objects of the listing, in key order. */
export async function listObjects(s3: S3Client, { bucket, prefix, folderOnly = false }: Listing): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(prefix ? { Prefix: prefix } : {}),
        ...(folderOnly ? { Delimiter: '/' } : {}),
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    objects.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}
