import { z } from 'zod';

/**
 * Deploy settings of a Gazette stack, read from CDK context keys under `gazette:` (defaults in
 * cdk.json, overrides with `-c gazette:key=value`) and validated before any construct exists, so a bad
 * value stops `cdk synth`/`cdk deploy` with one line that names the key.
 */
export interface GazetteSettings {
  /** Site and feed title. */
  readonly siteTitle: string;
  /** Site and feed description. */
  readonly siteDescription: string;
  /** Address digests and confirmation mails are sent from; SES identity is created for it. */
  readonly senderEmail: string;
  /** Display name in the From header. */
  readonly senderName: string;
  /** EventBridge Scheduler expression, e.g. `cron(0 7 * * ? *)`. */
  readonly schedule: string;
  /** IANA time zone the schedule is evaluated in. */
  readonly timeZone: string;
  /** Address that receives alarm mails; no subscription when absent. */
  readonly operatorEmail?: string;
  /** Domain to verify in SES with Easy DKIM instead of the single sender address. */
  readonly domain?: string;
  /** Digests kept in each feed. */
  readonly feedLength: number;
  /** Minutes after the scheduled time past which a digest is published but not mailed. */
  readonly staleAfterMinutes: number;
  /** BCP 47 language tag of the site and feeds. */
  readonly language: string;
}

/** A deploy setting is missing or malformed; the message is one line naming the context key. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads one context value by its full key (`gazette:senderEmail`); `node.tryGetContext` fits. */
export type ContextReader = (key: string) => unknown;

const PREFIX = 'gazette:';

/** Characters that would let a setting smuggle extra header lines or invisible text into mail. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

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

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** Context values come as strings from `-c` and as JSON values from cdk.json; blank means unset. */
const optionalText = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
  z.string().trim().optional(),
);

const plainText = (what: string, max: number) =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .min(1, `must not be empty`)
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL_CHARACTERS.test(value), 'must not contain control characters or line breaks');

const integer = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be a whole number from ${min} to ${max}`)
      .max(max, `must be a whole number from ${min} to ${max}`),
  );

const email = z.email({ error: 'must be an email address like news@example.com' });

const schema = z
  .object({
    siteTitle: plainText('a title', 200).default('Gazette'),
    siteDescription: plainText('a description', 500).default('Concise digests of the news that matters.'),
    senderEmail: z.preprocess(
      (value) => (typeof value === 'string' ? value.trim() : value),
      z
        .string({ error: 'is required: pass -c gazette:senderEmail=news@example.com' })
        .min(1, 'is required: pass -c gazette:senderEmail=news@example.com')
        .pipe(email),
    ),
    senderName: plainText('a display name', 100).default('Gazette'),
    schedule: z
      .string({ error: 'must be a schedule expression like cron(0 7 * * ? *)' })
      .trim()
      .refine(isScheduleExpression, 'must be an EventBridge Scheduler expression like cron(0 7 * * ? *) or rate(1 day)')
      .default('cron(0 7 * * ? *)'),
    timeZone: z
      .string({ error: 'must be an IANA time zone like Europe/Berlin' })
      .trim()
      .refine(isTimeZone, 'must be an IANA time zone like Europe/Berlin or UTC')
      .default('UTC'),
    operatorEmail: optionalText.pipe(email.optional()),
    domain: optionalText.pipe(
      z
        .string()
        .toLowerCase()
        .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name like example.com')
        .optional(),
    ),
    feedLength: integer(1, 500).default(50),
    staleAfterMinutes: integer(1, 10_080).default(360),
    language: z
      .string({ error: 'must be a language tag like en or de-CH' })
      .trim()
      .refine(isLanguageTag, 'must be a BCP 47 language tag like en or de-CH')
      .default('en'),
  })
  .superRefine((settings, context) => {
    // SES authorises a send against the identity the From address belongs to: with a domain
    // identity the sender must be on that domain, or every send is refused at run time.
    if (settings.domain && settings.senderEmail.split('@')[1]?.toLowerCase() !== settings.domain) {
      context.addIssue({
        code: 'custom',
        path: ['senderEmail'],
        message: `must be an address on gazette:domain (${settings.domain})`,
      });
    }
  });

const KEYS = Object.keys(schema.shape) as (keyof GazetteSettings)[];

/**
 * Reads and validates the deploy settings. Pure: it only calls `getContext`, so tests pass a map.
 *
 * @throws SettingsError with one line such as
 *   `gazette:senderEmail is required: pass -c gazette:senderEmail=news@example.com`.
 */
export function loadSettings(getContext: ContextReader): GazetteSettings {
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const value = getContext(PREFIX + key);
    if (value !== undefined && value !== null) raw[key] = value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'settings');
    const got = key in raw ? ` (got ${JSON.stringify(raw[key])})` : '';
    const message = issue?.message ?? 'is invalid';
    throw new SettingsError(`${PREFIX}${key} ${message}${message.startsWith('is required') ? '' : got}`);
  }
  const { operatorEmail, domain, ...rest } = result.data;
  return {
    ...rest,
    ...(operatorEmail ? { operatorEmail } : {}),
    ...(domain ? { domain } : {}),
  };
}
