import {
  cadenceProblem,
  CERTIFICATE_ARN_EXAMPLE,
  closestName,
  effectiveSchedule,
  senderDomainProblem,
  settingsSchema,
  siteDomainProblem,
  type SettingKey,
  type Settings,
} from '../functions/core/settings.js';
import * as z from '../functions/core/zod.js';

/**
 * Deploy settings of a Gazette stack, read from CDK context keys under `gazette:` (overrides with
 * `-c gazette:key=value` or in cdk.json's `context`) and validated with the one settings schema
 * (functions/core/settings.ts, which documents each key and holds the defaults) before any construct
 * exists, so a bad value stops `cdk synth`/`cdk deploy` with one line that names the key. The base URL
 * is no deploy setting: the stack knows it (CloudFront) and hands it to the functions itself.
 */
export type GazetteSettings = Readonly<Omit<Settings, 'baseUrl'>>;

/** A deploy setting is missing, malformed or unknown; the message is one line naming the context key. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

const PREFIX = 'gazette:';

const deploySchema = z.omit(settingsSchema, { baseUrl: true });

/** Every `gazette:` key a deploy reads, in the schema's order. */
export const SETTING_CONTEXT_KEYS: readonly string[] = Object.keys(deploySchema.shape).map((key) => PREFIX + key);

/** What `-c gazette:KEY=…` looks like for the required settings, for the message when one is missing. */
const REQUIRED_EXAMPLES: Partial<Record<SettingKey, string>> = { senderEmail: 'news@example.com' };

/** The line for a `gazette:` key no setting has, with the closest real key (a typo is the usual cause). */
function unknownKeyMessage(key: string): string {
  return `unknown setting ${key} (did you mean ${closestName(key, SETTING_CONTEXT_KEYS)})`;
}

/**
 * Reads and validates the deploy settings from the whole CDK context (`app.node.getAllContext()`).
 * Pure: tests pass a plain object. Keys outside `gazette:` (feature flags) are not ours and are left
 * alone; an unknown `gazette:` key is refused rather than silently ignored.
 *
 * @throws SettingsError with one line such as
 *   `gazette:senderEmail is required: pass -c gazette:senderEmail=news@example.com` or
 *   `unknown setting gazette:sendrEmail (did you mean gazette:senderEmail)`.
 */
export function loadSettings(context: Readonly<Record<string, unknown>>): GazetteSettings {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (!key.startsWith(PREFIX)) continue;
    if (!SETTING_CONTEXT_KEYS.includes(key)) throw new SettingsError(unknownKeyMessage(key));
    // Values come as strings from `-c` and as JSON values from cdk.json; blank means unset.
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    raw[key.slice(PREFIX.length)] = value;
  }
  const result = deploySchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? 'settings');
    if (!(key in raw)) {
      throw new SettingsError(`${PREFIX}${key} is required: pass -c ${PREFIX}${key}=${REQUIRED_EXAMPLES[key as SettingKey] ?? 'VALUE'}`);
    }
    throw new SettingsError(`${PREFIX}${key} ${issue?.message ?? 'is invalid'} (got ${JSON.stringify(raw[key])})`);
  }
  const domainProblem = senderDomainProblem(result.data);
  if (domainProblem) throw new SettingsError(`${PREFIX}senderEmail ${domainProblem} (got ${JSON.stringify(raw.senderEmail)})`);
  const half = siteDomainProblem(result.data);
  if (half) {
    const example = half.missing === 'certificateArn' ? CERTIFICATE_ARN_EXAMPLE : 'news.example.com';
    throw new SettingsError(
      `${PREFIX}${half.missing} is required with ${PREFIX}${half.givenWith}: pass -c ${PREFIX}${half.missing}=${example} (${
        half.missing === 'certificateArn' ? `the ACM certificate for ${result.data.siteDomain}` : 'the host name the certificate is for'
      })`,
    );
  }
  const cadence = cadenceProblem(result.data);
  if (cadence) throw new SettingsError(`${PREFIX}defaultCadence ${cadence} (got ${JSON.stringify(result.data.defaultCadence)})`);
  const { operatorEmail, domain, siteDomain: host, certificateArn, ...rest } = result.data;
  return {
    ...rest,
    // Daily and weekly editions close at each subscriber's own hour: the default schedule becomes hourly.
    schedule: effectiveSchedule(result.data),
    ...(operatorEmail ? { operatorEmail } : {}),
    ...(domain ? { domain } : {}),
    ...(host && certificateArn ? { siteDomain: host, certificateArn } : {}),
  };
}
