/**
 * `gazette sources`: the feeds Gazette follows, on the local state database (`--out DIR`, default) or
 * on a deployed stack's sources table (`--table NAME`). `add` accepts a homepage (autodiscovery),
 * `import` reads a feed reader's OPML export or a text list, `export` writes OPML, and `check` fetches
 * every source now and prints its health without consuming any item (the next publish still finds them).
 */
import { readFile } from 'node:fs/promises';
import { pollDeps, pollSettings } from '../../adapters/http/feed-polling.js';
import { gazetteUserAgent } from '../../adapters/http/safe-fetch.js';
import { HttpFeedFetcher } from '../../adapters/http/http-feed-fetcher.js';
import { localLayout } from '../../adapters/local/layout.js';
import { openLocalState } from '../../adapters/local/local-state.js';
import { SqliteSeenItems, SqliteSources } from '../../adapters/local/sqlite-sources.js';
import { SETTING_DEFAULTS } from '../../core/settings.js';
import { parseFeed } from '../../core/sources/parse-feed.js';
import { pollSources, type SourcePollReport } from '../../core/sources/poll-sources.js';
import { resolveFeed } from '../../core/sources/resolve-feed.js';
import { feedUrlOf, readFeedList, writeOpml } from '../../core/sources/source-list.js';
import { FULL_TEXT_MODES, newSource, type FullTextMode, type SeenItems, type Source, type SourceStore } from '../../core/sources/source.js';
import { parseActionCommand, write } from '../action-command.js';
import { EXIT_CODES, terminalSafe, type CommandIo, type ExitCode } from '../cli-errors.js';
import { DEFAULT_AWS_REGION, LOCAL_ENV } from '../../shared/env.js';

const USAGE = `usage: gazette sources <action> [options]

Actions:
  list                 every followed feed with its status (--json: one JSON object a line)
  add URL              follow a feed; a homepage works too (its <link rel="alternate"> feed is used)
                       --full-text auto|always|never   fetch the linked article when the feed has an excerpt (default auto)
                       --no-fetch                      add the URL as given, without checking it
  remove URL           stop following it
  import FILE          add every feed of an OPML file (.opml, .xml: nested folders read) or a text file
                       (one URL a line, # comments)
  export               OPML of every followed feed to stdout (any feed reader imports it)
  check                fetch every feed now and print its health: last status, items, last new item,
                       errors in a row, paused; publishes nothing and consumes no item

Where the list lives:
  --out DIR                local list in DIR/state/gazette.sqlite   default: out
  --table NAME             a deployed stack's sources table (output SourcesTableName; AWS credentials)
  --region REGION          with --table                 default: $AWS_REGION or ${DEFAULT_AWS_REGION}
  --endpoint URL           with --table: a DynamoDB emulator (default: $${LOCAL_ENV.dynamodbEndpoint})
  --allow-private-network  let add and check fetch loopback and private addresses (intranet feeds)
`;

const ACTION_ARGUMENTS: Record<string, number> = { list: 0, export: 0, check: 0, add: 1, remove: 1, import: 1 };

/** The store of the chosen place, and how to close it. */
interface Stores {
  sources: SourceStore;
  seen: SeenItems;
  close(): void;
}

async function openStores(
  values: { out?: string | undefined; table?: string | undefined; region?: string | undefined; endpoint?: string | undefined },
  io: CommandIo,
): Promise<Stores> {
  const warn = (message: string): void => void io.stderr.write(`gazette sources: warning: ${terminalSafe(message)}\n`);
  if (values.table) {
    // Imported here, so a local list never loads the AWS SDK.
    const { awsSourceTables } = await import('../../composition/aws.js');
    return awsSourceTables({ ...values, table: values.table }, warn);
  }
  const state = openLocalState(localLayout(values.out ?? 'out'), { warn });
  return { sources: new SqliteSources(state, warn), seen: new SqliteSeenItems(state), close: () => state.close() };
}

/** Runs `gazette sources …`; returns the exit code. */
export async function sourcesCommand(args: string[], io: CommandIo): Promise<ExitCode> {
  const parsed = await parseActionCommand(args, io, {
    command: 'sources',
    usage: USAGE,
    arity: ACTION_ARGUMENTS,
    options: {
      out: { type: 'string' },
      table: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'full-text': { type: 'string' },
      'no-fetch': { type: 'boolean' },
      'allow-private-network': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      verbose: { type: 'boolean' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { action, operands, values } = parsed;
  const fullText = values['full-text'] ?? 'auto';
  if (!(FULL_TEXT_MODES as readonly string[]).includes(fullText)) {
    await write(io.stderr, `gazette sources: --full-text must be one of ${FULL_TEXT_MODES.join(', ')} (got ${JSON.stringify(fullText)})\n`);
    return EXIT_CODES.usage;
  }
  const stores = await openStores(values, io);
  const context: ActionContext = {
    io,
    stores,
    operand: operands[0] ?? '',
    fullText: fullText as FullTextMode,
    fetchSettings: { ...SETTING_DEFAULTS, allowPrivateNetwork: values['allow-private-network'] === true },
    json: values.json === true,
    noFetch: values['no-fetch'] === true,
    now: new Date(),
  };
  try {
    return await ACTIONS[action]!(context);
  } finally {
    stores.close();
  }
}

interface ActionContext {
  io: CommandIo;
  stores: Stores;
  operand: string;
  fullText: FullTextMode;
  fetchSettings: Omit<typeof SETTING_DEFAULTS, 'allowPrivateNetwork'> & { allowPrivateNetwork: boolean };
  json: boolean;
  noFetch: boolean;
  now: Date;
}

const ACTIONS: Record<string, (context: ActionContext) => Promise<ExitCode>> = {
  list: listAction,
  export: exportAction,
  check: checkAction,
  add: addAction,
  remove: removeAction,
  import: importAction,
};

async function listAction({ io, stores, json }: ActionContext): Promise<ExitCode> {
  const sources = await stores.sources.list();
  if (json) {
    await write(io.stdout, sources.map((source) => `${JSON.stringify(source)}\n`).join(''));
    return EXIT_CODES.ok;
  }
  const lines = sources.map(
    (source) => `${terminalSafe(`${source.status.padEnd(9)} ${source.url}${source.title ? `  ${source.title}` : ''}`)}\n`,
  );
  await write(io.stdout, lines.join(''));
  await write(io.stdout, `${sources.length} source(s)\n`);
  return EXIT_CODES.ok;
}

async function exportAction({ io, stores }: ActionContext): Promise<ExitCode> {
  const sources = await stores.sources.list();
  await write(
    io.stdout,
    writeOpml(
      sources.map((source) => ({ url: source.url, ...(source.title ? { title: source.title } : {}) })),
      'Gazette sources',
    ),
  );
  return EXIT_CODES.ok;
}

async function addAction({ io, stores, operand, fullText, fetchSettings, noFetch, now }: ActionContext): Promise<ExitCode> {
  const given = feedUrlOf(operand);
  if (!given) {
    await write(io.stderr, `gazette sources: not an http(s) URL: ${terminalSafe(operand)}\n`);
    return EXIT_CODES.usage;
  }
  let url = given;
  let title: string | undefined;
  if (!noFetch) {
    const fetcher = new HttpFeedFetcher({
      allowPrivateNetwork: fetchSettings.allowPrivateNetwork,
      deadlineMs: fetchSettings.fetchTimeoutSeconds * 1000,
      maxBytes: fetchSettings.maxFeedBytes,
      userAgent: gazetteUserAgent(),
    });
    const resolved = await resolveFeed({ fetcher, parseFeed }, given, now);
    if ('error' in resolved) {
      await write(io.stderr, `gazette sources: no feed added: ${terminalSafe(resolved.error)} (--no-fetch adds it unchecked)\n`);
      return EXIT_CODES.partial;
    }
    ({ url, title } = resolved);
    if (resolved.via) await write(io.stdout, `found the feed ${url} on ${resolved.via}\n`);
  }
  const source: Source = { ...newSource(url, now, fullText), ...(title ? { title } : {}) };
  const outcome = await stores.sources.add(source);
  const label = terminalSafe(`${url}${title ? ` (${title})` : ''}`);
  await write(
    io.stdout,
    outcome === 'added'
      ? `${label}: added; the next publish fetches it (its current items are published, not mailed)\n`
      : `${label}: already followed\n`,
  );
  return EXIT_CODES.ok;
}

async function removeAction({ io, stores, operand }: ActionContext): Promise<ExitCode> {
  const url = feedUrlOf(operand) ?? operand;
  const match = (await stores.sources.list()).find((source) => source.url === url || source.id === operand);
  if (!match || !(await stores.sources.remove(match.id))) {
    await write(io.stdout, 'not followed; nothing removed\n');
    return EXIT_CODES.ok;
  }
  await write(io.stdout, `${terminalSafe(match.url)}: removed (its published digests stay in the archive)\n`);
  return EXIT_CODES.ok;
}

async function importAction({ io, stores, operand, fullText, now }: ActionContext): Promise<ExitCode> {
  const read = readFeedList(await readFile(operand, 'utf8'), operand);
  if ('error' in read) {
    await write(io.stderr, `gazette sources: ${terminalSafe(read.error)}\n`);
    return EXIT_CODES.usage;
  }
  let added = 0;
  for (const feed of read.feeds) {
    const source: Source = { ...newSource(feed.url, now, fullText), ...(feed.title ? { title: feed.title } : {}) };
    if ((await stores.sources.add(source)) === 'added') added += 1;
  }
  for (const problem of read.problems) await write(io.stderr, `gazette sources: ${terminalSafe(problem)}\n`);
  await write(io.stdout, `${added} added, ${read.feeds.length - added} already followed, ${read.problems.length} refused\n`);
  return read.problems.length > 0 ? EXIT_CODES.partial : EXIT_CODES.ok;
}

async function checkAction({ io, stores, fetchSettings, now }: ActionContext): Promise<ExitCode> {
  const deps = pollDeps(stores, { ...fetchSettings, maxAgeToMailHours: SETTING_DEFAULTS.maxAgeToMailHours });
  const result = await pollSources(deps, pollSettings(fetchSettings, { healthCheck: true }), now);
  // A health check marks no item seen; the commit stores only each source's health.
  await result.commit();
  const byId = new Map(result.reports.map((report) => [report.sourceId, report]));
  const sources = await stores.sources.list();
  for (const source of sources) await write(io.stdout, healthLines(source, byId.get(source.id)));
  const failing = result.reports.filter((report) => report.outcome === 'error').length;
  const paused = sources.filter((source) => source.status === 'paused').length;
  const disabled = sources.filter((source) => source.status === 'disabled').length;
  await write(
    io.stdout,
    `${sources.length} source(s): ${sources.length - failing - disabled} healthy, ${failing} failing, ${paused} paused, ${disabled} disabled\n`,
  );
  return failing > 0 ? EXIT_CODES.partial : EXIT_CODES.ok;
}

/** Two lines per source: status, URL and title; then what the last fetch said and its history. */
function healthLines(source: Source, report: SourcePollReport | undefined): string {
  const day = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');
  const state = report?.outcome === 'error' ? 'FAILING' : source.status.toUpperCase();
  const head = `${state.padEnd(9)} ${source.url}${source.title ? `  ${source.title}` : ''}`;
  const detail = [
    `last: ${source.lastStatus ?? 'never fetched'}`,
    `${source.itemCount} items`,
    `last new item: ${day(source.lastNewItemAt)}`,
    `${source.consecutiveErrors} errors in a row`,
  ].join(' · ');
  return `${terminalSafe(head)}\n          ${terminalSafe(detail)}\n`;
}
