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

  /** Polls the due sources; their new items, in source order. */
  async list(): Promise<(RawArticle | RefusedArticle)[]> {
    const result = await pollSources(this.deps, this.settings, this.clock.now());
    this.reports = result.reports;
    return result.articles;
  }
}
