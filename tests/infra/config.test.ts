import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, SETTING_CONTEXT_KEYS, SettingsError } from '../../infra/config.js';
import { CDK_JSON_CONTEXT } from './synth.js';

const SENDER = { 'gazette:senderEmail': 'news@example.com' };

/** loadSettings over cdk.json's context plus `overrides`, as `cdk synth -c …` would see them. */
function settingsWith(overrides: Record<string, unknown>) {
  return loadSettings({ ...CDK_JSON_CONTEXT, ...overrides });
}

/** The one-line message a bad setting produces. */
function failureOf(overrides: Record<string, unknown>): string {
  try {
    settingsWith(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error('expected the settings to be rejected');
}

describe('deploy settings (gazette: context keys)', () => {
  it('takes the schema defaults and needs only the sender address', () => {
    expect(settingsWith(SENDER)).toEqual({
      siteTitle: 'Gazette',
      siteDescription: 'Concise digests of the news that matters, by email and feed.',
      senderEmail: 'news@example.com',
      senderName: 'Gazette',
      schedule: 'cron(0 7 * * ? *)',
      timeZone: 'UTC',
      feedLength: 50,
      staleAfterMinutes: 360,
      maxConfirmationsPerDay: 500,
      maxAgeToMailHours: 48,
      maxSendRate: 14,
      language: 'en',
      summarizer: 'extractive',
      bedrockModelId: 'amazon.nova-micro-v1:0',
      bedrockDailyTokenBudget: 250_000,
      allowPrivateNetwork: false,
      fetchTimeoutSeconds: 30,
      maxFeedBytes: 10 * 1024 * 1024,
      sourcePauseAfterErrors: 10,
      fullTextMinWords: 150,
      editionMaxItems: 20,
      cadences: ['instant'],
      defaultCadence: 'instant',
      publishSeeds: true,
    });
  });

  it('runs hourly when a daily or weekly cadence is enabled and the schedule is left at its default', () => {
    expect(settingsWith({ ...SENDER, 'gazette:cadences': 'instant,daily' }).schedule).toBe('cron(0 * * * ? *)');
    expect(settingsWith({ ...SENDER, 'gazette:cadences': ['weekly'], 'gazette:defaultCadence': 'weekly' }).schedule).toBe(
      'cron(0 * * * ? *)',
    );
    // An operator's own schedule is theirs to keep.
    const own = settingsWith({
      ...SENDER,
      'gazette:cadences': 'daily',
      'gazette:defaultCadence': 'daily',
      'gazette:schedule': 'rate(30 minutes)',
    });
    expect(own.schedule).toBe('rate(30 minutes)');
    expect(settingsWith(SENDER).schedule).toBe('cron(0 7 * * ? *)');
  });

  it('refuses unknown cadences and a default cadence that is not enabled, in one line', () => {
    expect(failureOf({ ...SENDER, 'gazette:cadences': 'instant,monthly' })).toMatch(
      /^gazette:cadences must name cadences from instant, daily, weekly/,
    );
    expect(failureOf({ ...SENDER, 'gazette:cadences': 'daily' })).toBe(
      'gazette:defaultCadence must be one of the enabled cadences (daily) (got "instant")',
    );
  });

  it('takes the custom site domain and its certificate as a pair, the host name lower-cased', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a';
    expect(settingsWith({ ...SENDER, 'gazette:siteDomain': ' News.Example.COM ', 'gazette:certificateArn': certificateArn })).toMatchObject(
      { siteDomain: 'news.example.com', certificateArn },
    );
    expect(settingsWith(SENDER)).not.toHaveProperty('siteDomain');
    expect(settingsWith(SENDER)).not.toHaveProperty('certificateArn');
  });

  it('reads -c overrides given as strings, and treats blank optional values as unset', () => {
    const settings = settingsWith({
      ...SENDER,
      'gazette:feedLength': '12',
      'gazette:staleAfterMinutes': '90',
      'gazette:timeZone': 'Europe/Berlin',
      'gazette:schedule': 'cron(30 6 ? * MON-FRI *)',
      'gazette:operatorEmail': 'ops@example.com',
      'gazette:domain': '',
    });
    expect(settings).toMatchObject({
      feedLength: 12,
      staleAfterMinutes: 90,
      timeZone: 'Europe/Berlin',
      schedule: 'cron(30 6 ? * MON-FRI *)',
      operatorEmail: 'ops@example.com',
    });
    expect(settings).not.toHaveProperty('domain');
  });

  it.each([
    [{}, 'gazette:senderEmail is required: pass -c gazette:senderEmail=news@example.com'],
    [{ 'gazette:senderEmail': '  ' }, 'gazette:senderEmail is required: pass -c gazette:senderEmail=news@example.com'],
    [
      { 'gazette:senderEmail': 'news.example.com' },
      'gazette:senderEmail must be an email address like news@example.com (got "news.example.com")',
    ],
    [
      { ...SENDER, 'gazette:schedule': 'cron(0 7 * * *)' },
      'gazette:schedule must be an EventBridge Scheduler expression like cron(0 7 * * ? *) or rate(1 day) (got "cron(0 7 * * *)")',
    ],
    [
      { ...SENDER, 'gazette:schedule': 'cron(0 7 * * 1 *)' },
      'gazette:schedule must be an EventBridge Scheduler expression like cron(0 7 * * ? *) or rate(1 day) (got "cron(0 7 * * 1 *)")',
    ],
    [
      { ...SENDER, 'gazette:timeZone': 'Mars/Olympus' },
      'gazette:timeZone must be an IANA time zone like Europe/Berlin or UTC (got "Mars/Olympus")',
    ],
    [{ ...SENDER, 'gazette:feedLength': 0 }, 'gazette:feedLength must be a whole number from 1 to 500 (got 0)'],
    [{ ...SENDER, 'gazette:feedLength': '501' }, 'gazette:feedLength must be a whole number from 1 to 500 (got "501")'],
    [{ ...SENDER, 'gazette:feedLength': 'ten' }, 'gazette:feedLength must be a whole number from 1 to 500 (got "ten")'],
    [{ ...SENDER, 'gazette:operatorEmail': 'ops' }, 'gazette:operatorEmail must be an email address like news@example.com (got "ops")'],
    [
      { ...SENDER, 'gazette:senderName': 'Gazette\r\nBcc: victim@example.com' },
      'gazette:senderName must not contain control characters or line breaks (got "Gazette\\r\\nBcc: victim@example.com")',
    ],
    [
      { ...SENDER, 'gazette:language': 'english please' },
      'gazette:language must be a BCP 47 language tag like en or de-CH (got "english please")',
    ],
    [{ ...SENDER, 'gazette:domain': 'not a domain' }, 'gazette:domain must be a domain name like example.com (got "not a domain")'],
    [
      { ...SENDER, 'gazette:domain': 'example.org' },
      'gazette:senderEmail must be an address on gazette:domain (example.org) (got "news@example.com")',
    ],
    [
      { ...SENDER, 'gazette:siteDomain': 'news.example.com' },
      'gazette:certificateArn is required with gazette:siteDomain: pass -c gazette:certificateArn=arn:aws:acm:us-east-1:123456789012:certificate/… (the ACM certificate for news.example.com)',
    ],
    [
      { ...SENDER, 'gazette:certificateArn': 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' },
      'gazette:siteDomain is required with gazette:certificateArn: pass -c gazette:siteDomain=news.example.com (the host name the certificate is for)',
    ],
    [
      {
        ...SENDER,
        'gazette:siteDomain': 'news.example.com',
        'gazette:certificateArn': 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
      },
      'gazette:certificateArn must be a certificate in us-east-1 (CloudFront uses no other region; this one is in eu-west-1): request or import it there (got "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123")',
    ],
    [
      { ...SENDER, 'gazette:siteDomain': 'news.example.com', 'gazette:certificateArn': 'my-cert' },
      'gazette:certificateArn must be an ACM certificate ARN like arn:aws:acm:us-east-1:123456789012:certificate/… (got "my-cert")',
    ],
    [
      {
        ...SENDER,
        'gazette:siteDomain': 'https://news.example.com/',
        'gazette:certificateArn': 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      },
      'gazette:siteDomain must be a domain name like news.example.com (got "https://news.example.com/")',
    ],
  ])('rejects %j with one line naming the key', (overrides, message) => {
    const failure = failureOf(overrides);
    expect(failure).toBe(message);
    expect(failure).not.toContain('\n');
  });

  it.each([
    ['gazette:sendrEmail', 'gazette:senderEmail'],
    ['gazette:sitetitle', 'gazette:siteTitle'],
    ['gazette:feedLenght', 'gazette:feedLength'],
    ['gazette:lang', 'gazette:language'],
    ['gazette:timezone', 'gazette:timeZone'],
    ['gazette:operator', 'gazette:operatorEmail'],
  ])('refuses the unknown key %s, suggesting %s', (key, suggestion) => {
    const failure = failureOf({ ...SENDER, [key]: 'x' });
    expect(failure).toBe(`unknown setting ${key} (did you mean ${suggestion})`);
  });

  it('refuses an unknown key even when its value is blank, and before judging the other values', () => {
    expect(failureOf({ 'gazette:senderEmial': '' })).toBe('unknown setting gazette:senderEmial (did you mean gazette:senderEmail)');
  });

  it('leaves context keys outside gazette: alone (CDK feature flags, other tools)', () => {
    expect(settingsWith({ ...SENDER, '@aws-cdk/core:someNewFlag': true, 'other:key': 1 }).senderEmail).toBe('news@example.com');
  });

  it('knows exactly the documented deploy keys', () => {
    expect([...SETTING_CONTEXT_KEYS].sort()).toEqual(
      [
        'siteTitle',
        'siteDescription',
        'senderEmail',
        'senderName',
        'schedule',
        'timeZone',
        'operatorEmail',
        'domain',
        'feedLength',
        'staleAfterMinutes',
        'maxConfirmationsPerDay',
        'postalAddress',
        'editionMaxItems',
        'cadences',
        'defaultCadence',
        'maxAgeToMailHours',
        'maxSendRate',
        'language',
        'summarizer',
        'bedrockModelId',
        'bedrockDailyTokenBudget',
        'allowPrivateNetwork',
        'fetchTimeoutSeconds',
        'maxFeedBytes',
        'sourcePauseAfterErrors',
        'fullTextMinWords',
        'publishSeeds',
        'siteDomain',
        'certificateArn',
      ]
        .map((key) => `gazette:${key}`)
        .sort(),
    );
  });

  it('stops the real app (infra/app.ts) with that one line and exit code 1, writing no template', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'gazette-cdk-out-'));
    try {
      // This is how the CDK CLI runs the app: context as JSON in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR.
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(CDK_JSON_CONTEXT), CDK_OUTDIR: outdir },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe('gazette:senderEmail is required: pass -c gazette:senderEmail=news@example.com');
      expect(readdirSync(outdir).filter((name) => name.endsWith('.template.json'))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
