/** Several article sources read as one: the bundled seeds, then the S3 inbox. */
import type { RawArticle, RefusedArticle } from '../model.js';
import type { ArticleSource } from './ports.js';

/** `ArticleSource` that concatenates its sources' lists in the order given. */
export class CombinedArticleSource implements ArticleSource {
  constructor(private readonly sources: readonly ArticleSource[]) {}

  /** Each source's articles (already sorted by that source), source by source. */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    const lists = await Promise.all(this.sources.map((source) => source.list()));
    return lists.flat();
  }

  /** Settles every source that needs it, in order. */
  async settle(failed: ReadonlySet<string>): Promise<void> {
    for (const source of this.sources) await source.settle?.(failed);
  }
}
