/**
 * The one schema of Gazette's site, feed and mail settings, and the builders that turn settings into
 * what the renderers take. Every way of giving settings reads it: the CDK context (`gazette:KEY`,
 * infra/config.ts), the Lambda environment (functions/shared/env.ts) and the CLI flags
 * (functions/cli/commands/publish.ts). Each source maps its own names (context key, variable, flag)
 * onto the keys below and says which are required; the rules, limits and defaults live only here, so
 * a value one source accepts, every source accepts.
 *
 * Pure: no environment, no SDK, no clock. `Intl` is used for language tags and time zones because it is
 * the standard's own parser.
 */
import * as z from './zod.js';
import { CADENCES, type Cadence } from './editions/edition.js';
import { DEFAULT_EDITION_TIME, type EditionDefaults } from './editions/plan.js';
import { canonicalTimeZone } from './editions/time-zones.js';
import type { MailConfig, SiteConfig } from './model.js';

/** Characters that would let a setting smuggle extra header lines or invisible text into mail and pages. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** How many digests a feed may keep: at least one, and few enough that a feed stays a small download. */
export const FEED_LENGTH = { min: 1, max: 500 } as const;

/** The summarisers a deploy can choose: the embedded extractive one (default) or a model on Amazon Bedrock. */
export const SUMMARIZERS = ['extractive', 'bedrock'] as const;

/**
 * Geographic prefixes of Bedrock inference profile ids (`us.amazon.nova-micro-v1:0`). A profile routes to
 * other regions, so it needs more than the one foundation-model ARN the stack grants: refused up front.
 */
const INFERENCE_PROFILE_PREFIX = /^(?:us|eu|apac|global|us-gov|jp|au|ca)\./;

/** A Bedrock foundation-model id as the model catalogue spells it: `provider.name[:version]`. */
const FOUNDATION_MODEL_ID = /^[a-z0-9-]+\.[a-z0-9][a-z0-9.\-]*(?::[a-z0-9]+){0,2}$/;

/** True when `value` is a BCP 47 language tag (`en`, `de-CH`, `zh-Hant-TW`), as `Intl` parses them. */
export function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** True when `value` is a whole number of digests a feed may keep ({@link FEED_LENGTH}). */
export function isFeedLength(value: number): boolean {
  return Number.isInteger(value) && value >= FEED_LENGTH.min && value <= FEED_LENGTH.max;
}

/**
 * EventBridge Scheduler cron: six space-separated fields (minutes hours day-of-month month
 * day-of-week year), where exactly one of day-of-month and day-of-week is `?`. Also `rate(n unit)`.
 */
function isScheduleExpression(value: string): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(value);
  if (rate) return Number(rate[1]) >= 1;
  const cron = /^cron\(([^()]+)\)$/.exec(value);
  if (!cron?.[1]) return false;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return false;
  if (!fields.every((field) => /^[0-9A-Za-z*?,\-/#L]+$/.test(field))) return false;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  return (dayOfMonth === '?') !== (dayOfWeek === '?');
}

const plainText = (what: string, max: number) =>
  z.string({ error: `must be ${what}` }).check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(max, `must be at most ${max} characters`),
    z.refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters or line breaks'),
  );

/** Whole numbers arrive as strings from flags, `-c` and the environment, and as numbers from cdk.json. */
const integer = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number({ error: message }).check(z.int(message), z.minimum(min, message), z.maximum(max, message)),
  );
};

/** Yes/no settings: booleans from cdk.json, `true`/`false` (or `1`/`0`, `yes`/`no`) from flags and the environment. */
const FLAG_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };
const flag = z.preprocess(
  (value) => (typeof value === 'string' ? (FLAG_WORDS[value.trim().toLowerCase()] ?? value) : value),
  z.boolean({ error: 'must be true or false' }),
);

/** A DNS name, lower-cased: labels of letters, digits and inner hyphens, a TLD of letters. */
const domainName = (example: string) =>
  z
    .string({ error: `must be a domain name like ${example}` })
    .check(
      z.trim(),
      z.toLowerCase(),
      z.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, `must be a domain name like ${example}`),
    );

/** The only region CloudFront takes viewer certificates from. */
export const CLOUDFRONT_CERTIFICATE_REGION = 'us-east-1';

/** An ACM certificate ARN; the first group is its region. */
const ACM_CERTIFICATE_ARN = /^arn:aws(?:-cn|-us-gov)?:acm:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:certificate\/[A-Za-z0-9-]+$/;
export const CERTIFICATE_ARN_EXAMPLE = `arn:aws:acm:${CLOUDFRONT_CERTIFICATE_REGION}:123456789012:certificate/…`;

/** Largest feed or page body a fetch accepts, after decompression: from 64 KiB to 100 MiB. */
export const FEED_BYTES = { min: 64 * 1024, max: 100 * 1024 * 1024 } as const;

/**
 * An address as the HTML standard defines it (what a browser's `type=email` accepts): a dot-free domain
 * such as `localhost` is fine for local runs, spaces, brackets and a second `@` are not.
 */
const email = z.pipe(
  z.string({ error: 'must be an email address like news@example.com' }).check(z.trim()),
  z.email({ pattern: z.regexes.html5Email, error: 'must be an email address like news@example.com' }),
);

const BASE_URL_MESSAGE = 'must be an http(s) URL like https://news.example.com/';

/** The base URL `value` names, or why it names none. */
function parseBaseUrl(value: string): URL | string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return BASE_URL_MESSAGE;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return BASE_URL_MESSAGE;
  if (url.search || url.hash) return 'must not have a query or fragment';
  return url;
}

/** An absolute http(s) URL without query or fragment, normalised to end in `/` (links are appended to it). */
const baseUrl = z.pipe(
  z.string({ error: BASE_URL_MESSAGE }).check(z.trim()),
  z.transform((value: string, payload) => {
    const url = parseBaseUrl(value);
    if (typeof url === 'string') {
      // zod/mini's transform has no `addIssue`: the issue goes on the payload, as classic zod's addIssue put it.
      payload.issues.push({ code: 'custom', message: url, input: value });
      return z.NEVER;
    }
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url.href;
  }),
);

/** A comma-separated list (flags, `-c`, the environment) or an array (cdk.json) of distinct cadences. */
const cadenceList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()) : value),
  z
    .array(z.enum(CADENCES, { error: `must name cadences from ${CADENCES.join(', ')}` }), {
      error: `must be a comma-separated list of ${CADENCES.join(', ')}`,
    })
    .check(
      z.minLength(1, 'must enable at least one cadence'),
      z.refine((list) => new Set(list).size === list.length, 'must not name a cadence twice'),
    ),
);

/**
 * The rule of every setting, without defaults, keyed by its name (the `gazette:` context key). A source
 * that needs a value its own way (required, defaulted, optional) takes the rule from here.
 */
export const SETTING_RULES = {
  /** Site and feed title. */
  siteTitle: plainText('a title', 200),
  /** Site and feed description. */
  siteDescription: plainText('a description', 500),
  /** Public URL of the site; on AWS the stack sets it (CloudFront), so it is no context key. */
  baseUrl,
  /** BCP 47 language tag of the site, feeds and mails. */
  language: z
    .string({ error: 'must be a language tag like en or de-CH' })
    .check(z.trim(), z.refine(isLanguageTag, 'must be a BCP 47 language tag like en or de-CH')),
  /** Digests kept in each feed. */
  feedLength: integer(FEED_LENGTH.min, FEED_LENGTH.max),
  /** Address digests and confirmation mails are sent from (the SES identity on AWS). */
  senderEmail: email,
  /** Display name in the From header, and the feeds' author when an article has none. */
  senderName: plainText('a display name', 100),
  /** EventBridge Scheduler expression of the publisher's schedule. */
  schedule: z
    .string({ error: 'must be a schedule expression like cron(0 7 * * ? *)' })
    .check(z.trim(), z.refine(isScheduleExpression, 'must be an EventBridge Scheduler expression like cron(0 7 * * ? *) or rate(1 day)')),
  /** IANA time zone the schedule is evaluated in. */
  timeZone: z.string({ error: 'must be an IANA time zone like Europe/Berlin' }).check(
    z.trim(),
    z.refine((value) => canonicalTimeZone(value) !== undefined, 'must be an IANA time zone like Europe/Berlin or UTC'),
  ),
  /** Minutes after the scheduled time past which a digest is published but not mailed (at most a week). */
  staleAfterMinutes: integer(1, 10_080),
  /**
   * Confirmation mails sent in any rolling 24 hours, across all addresses: the cap that keeps a bot army
   * at the subscribe form from spending the quota and reputation the digests need. The API also never
   * uses more than a tenth of the SES daily quota for them ({@link confirmationCap}).
   */
  maxConfirmationsPerDay: integer(1, 100_000),
  /**
   * SES's MaxSendRate for the account (mails per second; 14 when production access is granted, 1 in the
   * sandbox). The senders read the live value from SES; this sizes the sender functions' maximum
   * concurrency at deploy time (see `senderConcurrencyFor`). Raise it after SES raises the rate.
   */
  maxSendRate: integer(1, 10_000),
  /** Address that receives alarm mails. */
  operatorEmail: email,
  /** Domain verified in SES with Easy DKIM instead of the single sender address. */
  domain: domainName('example.com'),
  /**
   * The site's own host name (`news.example.com`) instead of CloudFront's `*.cloudfront.net`: the
   * distribution answers to it, and every link in pages, feeds and mail uses `https://<it>/`. Needs
   * `certificateArn`; point a CNAME (or an ALIAS at a zone apex) at the distribution.
   */
  siteDomain: domainName('news.example.com'),
  /** The ACM certificate CloudFront serves `siteDomain` with; CloudFront takes certificates from us-east-1 only. */
  certificateArn: z.string({ error: `must be an ACM certificate ARN like ${CERTIFICATE_ARN_EXAMPLE}` }).check(
    z.trim(),
    z.superRefine((value, context) => {
      const match = ACM_CERTIFICATE_ARN.exec(value);
      if (!match) context.addIssue({ code: 'custom', message: `must be an ACM certificate ARN like ${CERTIFICATE_ARN_EXAMPLE}` });
      else if (match[1] !== CLOUDFRONT_CERTIFICATE_REGION)
        context.addIssue({
          code: 'custom',
          message: `must be a certificate in ${CLOUDFRONT_CERTIFICATE_REGION} (CloudFront uses no other region; this one is in ${match[1]}): request or import it there`,
        });
    }),
  ),
  /** Which summariser writes the digests; `bedrock` falls back to the extractive one whenever the model fails. */
  summarizer: z.enum(SUMMARIZERS, { error: `must be one of ${SUMMARIZERS.join(', ')}` }),
  /** The Bedrock foundation model (on-demand in the stack's region) used when `summarizer` is `bedrock`. */
  bedrockModelId: z.string({ error: 'must be a Bedrock model id like amazon.nova-micro-v1:0' }).check(
    z.trim(),
    z.refine(
      (value) => !INFERENCE_PROFILE_PREFIX.test(value),
      'must be a foundation-model id, not an inference profile (drop the region prefix)',
    ),
    z.refine((value) => FOUNDATION_MODEL_ID.test(value), 'must be a Bedrock model id like amazon.nova-micro-v1:0'),
  ),
  /**
   * Model tokens (in + out) the Bedrock summariser may use per UTC day, counted before each call; once
   * spent, digests are written by the extractive summariser until the next day.
   */
  bedrockDailyTokenBudget: integer(1_000, 1_000_000_000),
  /**
   * Let feed and full-text fetches reach loopback and private addresses (intranet feeds, the tests'
   * loopback server). Off by default: a feed's links must not make the publisher call internal
   * endpoints. Cloud metadata addresses stay refused either way.
   */
  allowPrivateNetwork: flag,
  /** Overall deadline of one fetch (connection, redirects and body together), in seconds. */
  fetchTimeoutSeconds: integer(1, 300),
  /** Largest feed or article page accepted, in bytes after decompression ({@link FEED_BYTES}). */
  maxFeedBytes: integer(FEED_BYTES.min, FEED_BYTES.max),
  /** Failed polls in a row after which a source is paused (shown by `sources check` and the run report). */
  sourcePauseAfterErrors: integer(1, 1000),
  /** Under this many words, an item's own text counts as an excerpt and the linked page is fetched (fullText: auto). */
  fullTextMinWords: integer(0, 10_000),
  /**
   * The sender's postal address, printed in every edition's footer when set: bulk-mail law (CAN-SPAM,
   * and Gmail's and Yahoo's sender rules point at it) wants one. One line; commas separate its parts.
   */
  postalAddress: plainText('a postal address on one line', 300),
  /**
   * Digests shown in full in one edition email; the rest are summed up as "and N more" with a link to
   * the edition's page, so a big import never makes an endless mail (and the HTML stays under Gmail's clip).
   */
  editionMaxItems: integer(1, 100),
  /**
   * Cadences subscribers may choose (`instant,daily,weekly`); a choice the operator later disables
   * falls back to `defaultCadence`. With `daily` or `weekly` enabled the publisher runs hourly.
   */
  cadences: cadenceList,
  /** The cadence of a subscriber who chose none (one of `cadences`). */
  defaultCadence: z.enum(CADENCES, { error: `must be one of ${CADENCES.join(', ')}` }),
  /**
   * Hours after its own date past which an article (or feed item) seen for the first time is published
   * but never mailed: an import of old posts, a feed that shows its backlog, must not flood anyone.
   */
  maxAgeToMailHours: integer(1, 8_760),
  /**
   * Publish the seed article(s) bundled from `seeds/` with each deployed run (the default, so a fresh
   * stack has a first digest to show); `false` leaves them out of the deployment for operators who
   * publish only their own sources. A seed digest already in the archive stays until unpublished.
   */
  publishSeeds: flag,
} as const;

/** The name of one setting. */
export type SettingKey = keyof typeof SETTING_RULES;

/** The defaults of the settings that have one; the rest are required (sender, base URL) or optional. */
export const SETTING_DEFAULTS = {
  siteTitle: 'Gazette',
  siteDescription: 'Concise digests of the news that matters, by email and feed.',
  language: 'en',
  feedLength: 50,
  senderName: 'Gazette',
  schedule: 'cron(0 7 * * ? *)',
  timeZone: 'UTC',
  staleAfterMinutes: 360,
  maxConfirmationsPerDay: 500,
  maxAgeToMailHours: 48,
  summarizer: 'extractive',
  bedrockModelId: 'amazon.nova-micro-v1:0',
  // About 200 digests of a 600-word article a day (~1,300 tokens each): cents a day on Nova Micro.
  bedrockDailyTokenBudget: 250_000,
  allowPrivateNetwork: false,
  fetchTimeoutSeconds: 30,
  maxFeedBytes: 10 * 1024 * 1024,
  sourcePauseAfterErrors: 10,
  fullTextMinWords: 150,
  editionMaxItems: 20,
  cadences: 'instant',
  defaultCadence: 'instant',
  maxSendRate: 14,
  publishSeeds: true,
} as const satisfies Partial<Record<SettingKey, string | number | boolean>>;

/**
 * All settings: defaults filled in, `senderEmail` and `baseUrl` required, `operatorEmail`, `domain`,
 * `siteDomain` and `certificateArn` (and `postalAddress`) optional. Sources `z.pick` or `z.omit` the keys they offer.
 */
export const settingsSchema = z.object({
  siteTitle: z._default(SETTING_RULES.siteTitle, SETTING_DEFAULTS.siteTitle),
  siteDescription: z._default(SETTING_RULES.siteDescription, SETTING_DEFAULTS.siteDescription),
  baseUrl: SETTING_RULES.baseUrl,
  language: z._default(SETTING_RULES.language, SETTING_DEFAULTS.language),
  feedLength: z._default(SETTING_RULES.feedLength, SETTING_DEFAULTS.feedLength),
  senderEmail: SETTING_RULES.senderEmail,
  senderName: z._default(SETTING_RULES.senderName, SETTING_DEFAULTS.senderName),
  schedule: z._default(SETTING_RULES.schedule, SETTING_DEFAULTS.schedule),
  timeZone: z._default(SETTING_RULES.timeZone, SETTING_DEFAULTS.timeZone),
  staleAfterMinutes: z._default(SETTING_RULES.staleAfterMinutes, SETTING_DEFAULTS.staleAfterMinutes),
  maxConfirmationsPerDay: z._default(SETTING_RULES.maxConfirmationsPerDay, SETTING_DEFAULTS.maxConfirmationsPerDay),
  maxAgeToMailHours: z._default(SETTING_RULES.maxAgeToMailHours, SETTING_DEFAULTS.maxAgeToMailHours),
  maxSendRate: z._default(SETTING_RULES.maxSendRate, SETTING_DEFAULTS.maxSendRate),
  operatorEmail: z.optional(SETTING_RULES.operatorEmail),
  domain: z.optional(SETTING_RULES.domain),
  siteDomain: z.optional(SETTING_RULES.siteDomain),
  certificateArn: z.optional(SETTING_RULES.certificateArn),
  summarizer: z._default(SETTING_RULES.summarizer, SETTING_DEFAULTS.summarizer),
  bedrockModelId: z._default(SETTING_RULES.bedrockModelId, SETTING_DEFAULTS.bedrockModelId),
  bedrockDailyTokenBudget: z._default(SETTING_RULES.bedrockDailyTokenBudget, SETTING_DEFAULTS.bedrockDailyTokenBudget),
  allowPrivateNetwork: z._default(SETTING_RULES.allowPrivateNetwork, SETTING_DEFAULTS.allowPrivateNetwork),
  fetchTimeoutSeconds: z._default(SETTING_RULES.fetchTimeoutSeconds, SETTING_DEFAULTS.fetchTimeoutSeconds),
  maxFeedBytes: z._default(SETTING_RULES.maxFeedBytes, SETTING_DEFAULTS.maxFeedBytes),
  sourcePauseAfterErrors: z._default(SETTING_RULES.sourcePauseAfterErrors, SETTING_DEFAULTS.sourcePauseAfterErrors),
  fullTextMinWords: z._default(SETTING_RULES.fullTextMinWords, SETTING_DEFAULTS.fullTextMinWords),
  postalAddress: z.optional(SETTING_RULES.postalAddress),
  editionMaxItems: z._default(SETTING_RULES.editionMaxItems, SETTING_DEFAULTS.editionMaxItems),
  cadences: z._default(SETTING_RULES.cadences, [SETTING_DEFAULTS.cadences]),
  defaultCadence: z._default(SETTING_RULES.defaultCadence, SETTING_DEFAULTS.defaultCadence),
  publishSeeds: z._default(SETTING_RULES.publishSeeds, SETTING_DEFAULTS.publishSeeds),
});

/** Validated settings, defaults filled in. */
export type Settings = z.output<typeof settingsSchema>;

/** Share of the mail service's daily quota that confirmation mails may use at most. */
export const CONFIRMATION_QUOTA_SHARE = 0.1;

/**
 * Confirmation mails allowed in a rolling 24 hours: the setting, but never more than a tenth of the
 * daily sending quota (when the service has one), so digests are never starved by sign-ups.
 */
export function confirmationCap(maxConfirmationsPerDay: number, dailyQuota: number): number {
  if (!Number.isFinite(dailyQuota) || dailyQuota <= 0) return maxConfirmationsPerDay;
  return Math.max(0, Math.min(maxConfirmationsPerDay, Math.floor(dailyQuota * CONFIRMATION_QUOTA_SHARE)));
}

/** Who writes the digests: the embedded extractive summariser, or a Bedrock model with it as the fallback. */
export type SummarizerChoice = { kind: 'extractive' } | { kind: 'bedrock'; modelId: string; dailyTokenBudget: number };

/** The summariser settings as one value (the model settings only matter, and only travel, with `bedrock`). */
export function buildSummarizerChoice(
  settings: Pick<Settings, 'summarizer' | 'bedrockModelId' | 'bedrockDailyTokenBudget'>,
): SummarizerChoice {
  return settings.summarizer === 'bedrock'
    ? { kind: 'bedrock', modelId: settings.bedrockModelId, dailyTokenBudget: settings.bedrockDailyTokenBudget }
    : { kind: 'extractive' };
}

/** The domain of an address, lower-cased (`News@Mail.Example.com` → `mail.example.com`). */
function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * The problem with sending from `senderEmail` under the SES domain identity `domain`, if any: SES
 * authorises a send against the identity the From address belongs to, so with a domain identity the
 * sender must be on that domain, or every send is refused at run time.
 */
export function senderDomainProblem(settings: { senderEmail: string; domain?: string | undefined }): string | undefined {
  if (!settings.domain || domainOf(settings.senderEmail) === settings.domain) return undefined;
  return `must be an address on gazette:domain (${settings.domain})`;
}

/**
 * The half of the custom site domain that is missing, if one is: the host name and the certificate
 * only work as a pair (CloudFront refuses an alias without a certificate, and a certificate alone
 * names no host). Each source words the message with its own names for the two.
 */
export function siteDomainProblem(settings: {
  siteDomain?: string | undefined;
  certificateArn?: string | undefined;
}): { missing: 'siteDomain' | 'certificateArn'; givenWith: 'siteDomain' | 'certificateArn' } | undefined {
  if (settings.siteDomain && !settings.certificateArn) return { missing: 'certificateArn', givenWith: 'siteDomain' };
  if (settings.certificateArn && !settings.siteDomain) return { missing: 'siteDomain', givenWith: 'certificateArn' };
  return undefined;
}

/** The problem with the cadence settings, if any: the default must be one of the enabled cadences. */
export function cadenceProblem(settings: { cadences: readonly Cadence[]; defaultCadence: Cadence }): string | undefined {
  if (settings.cadences.includes(settings.defaultCadence)) return undefined;
  return `must be one of the enabled cadences (${settings.cadences.join(', ')})`;
}

/** Every hour on the hour: daily and weekly editions close at a subscriber's local hour. */
export const HOURLY_SCHEDULE = 'cron(0 * * * ? *)';

/**
 * The schedule the publisher runs on: the `schedule` setting, except that with a daily or weekly cadence
 * enabled and the schedule left at its default it runs hourly, so every subscriber's hour is met. A run
 * with nothing due reads the archive and the list and sends nothing.
 */
export function effectiveSchedule(settings: { schedule: string; cadences: readonly Cadence[] }): string {
  const clocked = settings.cadences.some((cadence) => cadence !== 'instant');
  return clocked && settings.schedule === SETTING_DEFAULTS.schedule ? HOURLY_SCHEDULE : settings.schedule;
}

/** What the edition planner needs from the settings. */
export function buildEditionDefaults(settings: Pick<Settings, 'cadences' | 'defaultCadence' | 'timeZone'>): EditionDefaults {
  return { cadences: settings.cadences, defaultCadence: settings.defaultCadence, timeZone: settings.timeZone, ...DEFAULT_EDITION_TIME };
}

/** The site settings every renderer takes, from the validated settings. */
export function buildSiteConfig(
  settings: Pick<Settings, 'baseUrl' | 'siteTitle' | 'siteDescription' | 'language' | 'senderName' | 'feedLength'> &
    Partial<Pick<Settings, 'timeZone' | 'cadences' | 'defaultCadence'>>,
): SiteConfig {
  const { cadences, defaultCadence } = settings;
  return {
    // Only present when given, so site settings built without them compare equal.
    ...(settings.timeZone !== undefined ? { timeZone: settings.timeZone } : {}),
    // The form offers a choice only when there is one; the default cadence comes first (and is checked).
    ...(cadences && cadences.length > 1
      ? { cadences: [...cadences].sort((a, b) => Number(b === defaultCadence) - Number(a === defaultCadence)) }
      : {}),
    baseUrl: settings.baseUrl,
    title: settings.siteTitle,
    description: settings.siteDescription,
    language: settings.language,
    // The sender's name signs the mails; the same name signs the feeds, so a reader sees one author.
    authorName: settings.senderName,
    feedLength: settings.feedLength,
  };
}

/**
 * The mail settings, the one place `From` and `List-Id` are derived, so mail from `npm start`,
 * `npm run dev` and the deployed stack carries the same headers. `List-Id` is `gazette.<sender's
 * domain>`: a list label under a domain the sender controls (RFC 2919), stable as long as the sender's
 * domain is, which is what subscribers' mail filters key on. Unsubscribing is the https one-click URL
 * alone (see `listHeaders` in render/email.ts for why there is no mailto).
 */
export function buildMailConfig(
  settings: Pick<Settings, 'senderEmail' | 'senderName'> & Partial<Pick<Settings, 'postalAddress' | 'editionMaxItems'>>,
): MailConfig {
  return {
    fromName: settings.senderName,
    fromAddress: settings.senderEmail,
    listId: `gazette.${domainOf(settings.senderEmail)}`,
    // Only present when set, so mail settings built before these existed compare equal.
    ...(settings.postalAddress ? { postalAddress: settings.postalAddress } : {}),
    ...(settings.editionMaxItems !== undefined ? { editionMaxItems: settings.editionMaxItems } : {}),
  };
}

/** The Levenshtein distance between `a` and `b`, ignoring case (`sitetitle` is 0 from `siteTitle`). */
function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The candidate closest to `name` by edit distance; the first of equals wins, so the answer is stable. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best?.candidate;
}
