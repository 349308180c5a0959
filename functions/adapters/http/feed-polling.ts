/**
 * Builds the polling dependencies once for every composition root (the CLI's publish and sources
 * commands, the scheduled handler): the guarded fetcher with the fetch settings, the parser, and the
 * poll settings from the settings schema. Only the stores differ (SQLite or DynamoDB).
 */
import { parseFeed } from '../../core/sources/parse-feed.js';
import type { PollDeps, PollSettings } from '../../core/sources/poll-sources.js';
import type { SeenItems, SourceStore } from '../../core/sources/source.js';
import type { Log } from '../../core/publish/ports.js';
import type { Settings } from '../../core/settings.js';
import { gazetteUserAgent } from './safe-fetch.js';
import { HttpFeedFetcher } from './http-feed-fetcher.js';
import { HttpFullTextFetcher } from './http-full-text.js';

/** The settings polling reads. */
export type PollingSettings = Pick<
  Settings,
  'allowPrivateNetwork' | 'fetchTimeoutSeconds' | 'maxFeedBytes' | 'sourcePauseAfterErrors' | 'maxAgeToMailHours'
> & { fullTextMinWords?: number };

/** The polling dependencies over `stores`, fetching with `settings`. */
export function pollDeps(
  stores: { sources: SourceStore; seen: SeenItems },
  settings: PollingSettings,
  options: { siteUrl?: string; log?: Log; random?: () => number } = {},
): PollDeps {
  const fetchOptions = {
    allowPrivateNetwork: settings.allowPrivateNetwork,
    deadlineMs: settings.fetchTimeoutSeconds * 1000,
    maxBytes: settings.maxFeedBytes,
    userAgent: gazetteUserAgent(options.siteUrl),
  };
  return {
    ...stores,
    fetcher: new HttpFeedFetcher(fetchOptions),
    fullText: new HttpFullTextFetcher(fetchOptions),
    parseFeed,
    random: options.random ?? Math.random,
    ...(options.log ? { log: options.log } : {}),
  };
}

/** The poll settings from the settings schema's values. */
export function pollSettings(settings: PollingSettings, overrides: Partial<PollSettings> = {}): PollSettings {
  return {
    pauseAfterErrors: settings.sourcePauseAfterErrors,
    maxAgeToMailMs: settings.maxAgeToMailHours * 3_600_000,
    ...(settings.fullTextMinWords !== undefined ? { fullTextMinWords: settings.fullTextMinWords } : {}),
    ...overrides,
  };
}
