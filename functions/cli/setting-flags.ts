/**
 * The setting flags the local commands share (`gazette publish`, and `gazette serve` for its API): their
 * defaults, which setting each flag gives, and one function that validates them with the settings
 * schema and builds the site, mail and edition settings with its builders, as the Lambda functions do
 * from their environment. No adapter is imported here, so a command that only needs settings loads no
 * AWS SDK.
 */
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { ConfigError } from '../core/errors.js';
import type { EditionDefaults } from '../core/editions/plan.js';
import type { MailConfig, SiteConfig } from '../core/model.js';
import {
  buildEditionDefaults,
  buildMailConfig,
  buildSiteConfig,
  buildSummarizerChoice,
  cadenceProblem,
  SETTING_DEFAULTS,
  settingsSchema,
  type SettingKey,
  type SummarizerChoice,
} from '../core/settings.js';
import * as z from '../core/zod.js';
import { LOCAL_SITE_PORT, localSiteUrl } from './site-server.js';

/**
 * The defaults of the local-only flags; `gazette serve` uses the same subscribers file, output folder
 * and sender. The site and feed settings' defaults are the settings schema's (functions/core/settings.ts).
 */
export const DEFAULTS = {
  seeds: 'seeds',
  out: 'out',
  baseUrl: localSiteUrl(LOCAL_SITE_PORT),
  subscribers: 'subscribers.example.json',
  from: `${SETTING_DEFAULTS.senderName} <digest@localhost>`,
} as const;

/** The settings the flags give, by flag; `--from` carries two (address and display name). */
const SETTING_FLAGS = {
  siteTitle: '--title',
  siteDescription: '--description',
  baseUrl: '--base-url',
  language: '--language',
  feedLength: '--feed-length',
  senderEmail: '--from',
  senderName: '--from',
  summarizer: '--summarizer',
  bedrockModelId: '--bedrock-model',
  bedrockDailyTokenBudget: '--bedrock-daily-tokens',
  cadences: '--cadences',
  defaultCadence: '--default-cadence',
  timeZone: '--time-zone',
  maxAgeToMailHours: '--max-age-to-mail',
  postalAddress: '--postal-address',
  editionMaxItems: '--edition-max-items',
} as const satisfies Partial<Record<SettingKey, string>>;

const flagSettingsSchema = z.pick(settingsSchema, {
  siteTitle: true,
  siteDescription: true,
  baseUrl: true,
  language: true,
  feedLength: true,
  senderEmail: true,
  senderName: true,
  summarizer: true,
  bedrockModelId: true,
  bedrockDailyTokenBudget: true,
  cadences: true,
  defaultCadence: true,
  timeZone: true,
  maxAgeToMailHours: true,
  postalAddress: true,
  editionMaxItems: true,
});

/** The flags that carry settings, as given (absent ones take the schema's defaults). */
export interface SettingFlagValues {
  title?: string | undefined;
  description?: string | undefined;
  baseUrl: string;
  language?: string | undefined;
  feedLength?: string | undefined;
  postalAddress?: string | undefined;
  editionMaxItems?: string | undefined;
  from: string;
  summarizer?: string | undefined;
  bedrockModel?: string | undefined;
  bedrockDailyTokens?: string | undefined;
  cadences?: string | undefined;
  defaultCadence?: string | undefined;
  timeZone?: string | undefined;
  maxAgeToMailHours?: string | undefined;
}

/**
 * Validates the setting flags with the settings schema and builds the site and mail settings with its
 * builders, as the Lambda functions do from their environment; flags not given take the schema's
 * defaults (what `gazette serve` builds its API's settings from). Throws `ConfigError` naming the flag.
 */
export function settingsFromFlags(flags: SettingFlagValues): {
  site: SiteConfig;
  mail: MailConfig;
  summarizer: SummarizerChoice;
  editions: EditionDefaults;
  maxAgeToMailMs: number;
} {
  const sender = parseFrom(flags.from);
  const raw = {
    siteTitle: flags.title,
    siteDescription: flags.description,
    baseUrl: flags.baseUrl,
    language: flags.language,
    feedLength: flags.feedLength,
    postalAddress: flags.postalAddress,
    editionMaxItems: flags.editionMaxItems,
    senderEmail: sender.address,
    // An address without a display name gets the default name, as a deploy without senderName does.
    senderName: sender.name || undefined,
    summarizer: flags.summarizer,
    bedrockModelId: flags.bedrockModel,
    bedrockDailyTokenBudget: flags.bedrockDailyTokens,
    cadences: flags.cadences,
    defaultCadence: flags.defaultCadence,
    timeZone: flags.timeZone,
    maxAgeToMailHours: flags.maxAgeToMailHours,
  };
  const result = flagSettingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = (issue?.path[0] ?? 'siteTitle') as keyof typeof SETTING_FLAGS;
    const flag = SETTING_FLAGS[key];
    const given = flag === '--from' ? flags.from : raw[key];
    throw new ConfigError(`${flag} ${issue?.message ?? 'is invalid'} (got ${JSON.stringify(given)})`);
  }
  const problem = cadenceProblem(result.data);
  if (problem) throw new ConfigError(`--default-cadence ${problem} (got ${JSON.stringify(result.data.defaultCadence)})`);
  return {
    site: buildSiteConfig(result.data),
    mail: buildMailConfig(result.data),
    summarizer: buildSummarizerChoice(result.data),
    editions: buildEditionDefaults(result.data),
    maxAgeToMailMs: result.data.maxAgeToMailHours * 60 * 60 * 1000,
  };
}

/** `"Name <addr@domain>"` (or a bare address) split by nodemailer's parser; the schema judges the parts. */
function parseFrom(from: string): { name: string; address: string } {
  const parsed = addressparser(from, { flatten: true });
  const first = parsed[0];
  if (parsed.length !== 1 || !first?.address) {
    throw new ConfigError(`--from must be one address like "Gazette <digest@example.com>": ${from}`);
  }
  return { name: first.name, address: first.address };
}
