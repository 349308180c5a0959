/**
 * The followed feeds as one more `ArticleSource` of the publish pipeline: listing it polls the due
 * sources and offers their new items. It joins the file sources (seeds, inbox) through
 * `CombinedArticleSource`, so publishing treats a feed item like any other article.
 */
import type { RawArticle, RefusedArticle } from '../model.js';
import type { ArticleSource, Clock } from '../publish/ports.js';
import { pollSources, type PollDeps, type PollSettings, type SourcePollReport } from './poll-sources.js';

/** `ArticleSource` over the feed sources; `reports` holds what the last listing's poll found. */
export class FeedArticleSource implements ArticleSource {
  /** One report per source polled by the last `list()`, for the run report. */
  reports: SourcePollReport[] = [];

  constructor(
    private readonly deps: PollDeps,
    private readonly settings: PollSettings,
    private readonly clock: Clock,
  ) {}

  private pending: (() => Promise<void>) | undefined;

  /** Polls the due sources; their new items, in source order. Nothing is recorded until `settle`. */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    const result = await pollSources(this.deps, this.settings, this.clock.now());
    this.reports = result.reports;
    this.pending = result.commit;
    return result.articles;
  }

  /**
   * Marks the listed items seen and stores each source's validators and health (the poll's commit).
   * Failed items are marked too: a feed offers an item once, and its error is in that run's report.
   */
  async settle(): Promise<void> {
    const commit = this.pending;
    this.pending = undefined;
    await commit?.();
  }
}
