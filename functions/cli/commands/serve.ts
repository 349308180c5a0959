/**
 * `gazette serve` (`npm run serve`): the local site server (../site-server.ts) over `out/site/`, with the
 * content types the S3 objects carry, so feeds and pages can be checked in a browser or a feed reader.
 * It also mounts the real subscription API under `/api/` over the local adapters `npm start` uses (the
 * state database `out/state/gazette.sqlite`, `out/outbox/`), so the site's form and the links in
 * the outbox mails work without AWS or emulators. Development only: no compression, loopback only.
 */
import { localSubscriptionApi } from '../../composition/local.js';
import { API_PREFIX } from '../../core/subscriptions/links.js';
import { parseFlags } from '../flag-values.js';
import { ConfigError } from '../../core/errors.js';
import { feedLinks } from '../../core/render/outputs.js';
import { EXIT_CODES, reportError, type CommandIo, type ExitCode } from '../cli-errors.js';
import { localLayout } from '../../adapters/local/layout.js';
import { folderSite, LOCAL_SITE_PORT, startSiteServer, type SiteServer } from '../site-server.js';
import { DEFAULTS as PUBLISH_DEFAULTS, settingsFromFlags } from '../setting-flags.js';

/** Help text of `gazette serve`. */
export const SERVE_USAGE = `usage: gazette serve [--out DIR] [--site DIR] [--subscribers FILE] [--port N]        (npm run serve)

Serves the published site on http://localhost:PORT/ until interrupted (Ctrl+C), and the subscription
API under /api/ (subscribe, confirm, unsubscribe): confirmation emails go to DIR/outbox as .eml files,
subscribers to the database in DIR/state (FILE is read-only seed input, never written), and links
are signed with the keys in DIR/state, as "gazette publish" uses them.

  --out DIR            output folder of "gazette publish"; serves DIR/site   default: ${PUBLISH_DEFAULTS.out}
  --site DIR           serve this folder instead of DIR/site
  --subscribers FILE   seed list of {"email","status"}   default: ${PUBLISH_DEFAULTS.subscribers}
  --port N             port (0 picks a free one)                             default: ${LOCAL_SITE_PORT}
  -h, --help           this text
`;

/** What `gazette serve` was asked for. */
interface ServeOptions {
  root: string;
  port: number;
  outDir: string;
  subscribersFile: string;
}

/** Parses and validates the flags; throws `ConfigError` with a one-line reason. */
function parseServeOptions(args: string[]): ServeOptions | 'help' {
  const { values } = parseFlags({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: 'string' },
      site: { type: 'string' },
      subscribers: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const outDir = values.out ?? PUBLISH_DEFAULTS.out;
  const portText = values.port ?? String(LOCAL_SITE_PORT);
  const port = Number(portText);
  if (!/^\d+$/u.test(portText) || port > 65535) throw new ConfigError(`--port must be a number from 0 to 65535: ${portText}`);
  return {
    outDir,
    port,
    root: values.site ?? localLayout(outDir).site,
    subscribersFile: values.subscribers ?? PUBLISH_DEFAULTS.subscribers,
  };
}

/** The site server with the local subscription API mounted, and the outbox its mail goes to. */
async function startServing(options: ServeOptions, io: CommandIo): Promise<{ running: SiteServer; outbox: string; closeApi(): void }> {
  const running = await startSiteServer({ source: await folderSite(options.root), port: options.port });
  try {
    const api = await localSubscriptionApi({
      outDir: options.outDir,
      subscribersFile: options.subscribersFile,
      // Site settings exactly as publish builds them by default, with this server as the base URL.
      settings: settingsFromFlags({ baseUrl: running.url, from: PUBLISH_DEFAULTS.from }),
      warn: (line) => io.stderr.write(`${line}\n`),
    });
    running.mountApi(api);
    return { running, outbox: api.outbox, closeApi: api.close };
  } catch (error) {
    await running.close();
    throw error;
  }
}

/** What `gazette serve` prints once it listens: the site, each feed, the API and where mail goes. */
function servingBanner(options: ServeOptions, url: string, outbox: string): string {
  return (
    `Serving ${options.root} at ${url}\n` +
    `  Site:  ${url}\n` +
    feedLinks({ baseUrl: url })
      .map((feed) => `  ${feed.name.toUpperCase().padEnd(5)} ${feed.url}\n`)
      .join('') +
    `  API:   ${url}${API_PREFIX} (subscribe, confirm, unsubscribe), subscribers in ${localLayout(options.outDir).database} (seeded from ${options.subscribersFile})\n` +
    `  Mail:  confirmation emails are written to ${outbox}\n` +
    'Press Ctrl+C to stop.\n'
  );
}

/**
 * Runs `gazette serve` until the process is interrupted or `signal` aborts; returns the exit code.
 */
export async function serveCommand(args: string[], io: CommandIo, signal?: AbortSignal): Promise<ExitCode> {
  let options: ServeOptions | 'help';
  try {
    options = parseServeOptions(args);
  } catch (error) {
    return reportError(io, 'serve', error);
  }
  if (options === 'help') {
    io.stdout.write(SERVE_USAGE);
    return EXIT_CODES.ok;
  }
  let serving: Awaited<ReturnType<typeof startServing>>;
  try {
    serving = await startServing(options, io);
  } catch (error) {
    return reportError(io, 'serve', error);
  }
  const { running, outbox, closeApi } = serving;
  io.stdout.write(servingBanner(options, running.url, outbox));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void running.close().then(() => {
        closeApi();
        resolve();
      });
    };
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT_CODES.ok;
}
