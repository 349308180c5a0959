/**
 * The operator commands against a "deployed" stack: CloudFormation and Lambda are the loopback
 * stand-in of tests/support/aws-control-plane.ts (real wire protocols, the REAL publisher handler run
 * in-process on Invoke), S3, DynamoDB, SES and SQS are the emulators. Every AWS call goes through the
 * real SDK v3 clients the commands build, from the shell environment the test hands them.
 */
import { DynamoSendingPause } from '../../functions/adapters/aws/dynamodb-sending-pause.js';
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, inject, it, onTestFinished, vi } from 'vitest';
import { runGazette } from '../../functions/cli/gazette.js';
import { stackPreviewCommand } from '../../functions/cli/operator/stack-preview.js';
import { stackUnpublishCommand } from '../../functions/cli/operator/stack-unpublish.js';
import { emulatorEnvironment, provisionSendQueue } from '../../functions/dev/local-aws/emulators.js';
import { capturedSends, setSesFaults } from '../../functions/dev/local-aws/ses-front.js';
import { runCommand } from '../../functions/cli/commands/run.js';
import { statusCommand } from '../../functions/cli/commands/status.js';
import { createPublishHandler, type PublishHandler } from '../../functions/handlers/publish.js';
import { createSqsClient } from '../../functions/shared/aws-clients.js';
import { LOCAL_ENV, loadPublisherEnv } from '../../functions/shared/env.js';
import { ENV } from '../../functions/shared/env-names.js';
import { STACK_OUTPUTS } from '../../functions/shared/stack-outputs.js';
import { memoryIo } from '../fakes/memory-io.js';
import { type ControlPlane, startControlPlane } from '../support/aws-control-plane.js';
import { createHarness, type Harness, publisherVariables } from './harness.js';
import { isSitePath } from '../../functions/core/render/outputs.js';

/** A stack as `cdk deploy` would leave it, on the emulators, with the stand-in for CloudFormation and Lambda. */
interface Deployment {
  harness: Harness;
  control: ControlPlane;
  functionName: string;
  /** The publisher's environment, as GetFunctionConfiguration answers it. */
  variables: Record<string, string>;
  /** The shell the operator commands run in: the region and the endpoints of the stand-ins. */
  shell: Record<string, string>;
  outputs: Record<string, string>;
  sendQueueUrl: string;
  deadLetterQueueUrl: string;
}

const open: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
  // The SES front is shared by every test file: leave it as the next one expects it.
  await setSesFaults(inject('emulators').ses, {});
});

const silent = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

async function deploy(
  options: { handler?: (publisher: PublishHandler) => PublishHandler; stackName?: string; variables?: Record<string, string> } = {},
): Promise<Deployment> {
  const harness = await createHarness();
  open.push(() => harness.close());
  const sqs = createSqsClient({ region: harness.env.region, endpoints: harness.env.endpoints });
  open.push(() => sqs.destroy());
  const { sendQueueUrl, deadLetterQueueUrl } = await provisionSendQueue(sqs, harness.names);
  const variables = { ...publisherVariables(harness.endpoints, harness.names), [ENV.sendQueueUrl]: sendQueueUrl, ...options.variables };
  const publisher = createPublishHandler({
    env: loadPublisherEnv(variables),
    clients: harness.clients,
    logger: silent(),
    metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
  });
  const handler = options.handler ? options.handler(publisher) : publisher;
  const functionName = `Gazette-PublisherHandlerFunction-${randomUUID().slice(0, 8)}`;
  const outputs = {
    [STACK_OUTPUTS.siteUrl]: 'https://news.example.com/',
    [STACK_OUTPUTS.publisherFunctionName]: functionName,
    [STACK_OUTPUTS.stateTableName]: harness.names.tables.state,
    [STACK_OUTPUTS.subscribersTableName]: harness.names.tables.subscribers,
    [STACK_OUTPUTS.deliveriesTableName]: harness.names.tables.deliveries,
    [STACK_OUTPUTS.siteBucketName]: harness.names.bucket,
    [STACK_OUTPUTS.sendQueueUrl]: sendQueueUrl,
    [STACK_OUTPUTS.sendDeadLetterQueueUrl]: deadLetterQueueUrl,
  };
  const control = await startControlPlane({
    stacks: { [options.stackName ?? 'Gazette']: { status: 'UPDATE_COMPLETE', outputs } },
    functions: { [functionName]: { variables, handler: (event, context) => handler(event as Record<string, unknown>, context) } },
  });
  open.push(() => control.close());
  // The emulators' endpoint variables (npm run dev's), plus the stand-in for CloudFormation and Lambda.
  const shell = {
    ...emulatorEnvironment(harness.endpoints, harness.names),
    AWS_REGION: 'eu-west-1',
    [LOCAL_ENV.cloudformationEndpoint]: control.endpoint,
    [LOCAL_ENV.lambdaEndpoint]: control.endpoint,
  };

  return { harness, control, functionName, variables, shell, outputs, sendQueueUrl, deadLetterQueueUrl };
}

async function run(
  command: (args: string[], io: ReturnType<typeof memoryIo>, env: Record<string, string>) => Promise<number>,
  args: string[],
  env: Record<string, string>,
) {
  const io = memoryIo();
  const code = await command(args, io, env);
  return { code, out: io.out(), err: io.err() };
}

/** `preview --stack` or `send-test --stack` as a command of (args, io, env). */
const stackSend = (mode: 'preview' | 'send-test') => (args: string[], io: ReturnType<typeof memoryIo>, env: Record<string, string>) =>
  stackPreviewCommand(mode, args, io, env);

describe('gazette run --stack', () => {
  it('invokes the deployed publisher synchronously and prints its report as gazette publish words it', async () => {
    const stack = await deploy();
    await stack.harness.seedSubscriber(stack.harness.address('reader'), 'confirmed');

    const first = await run(runCommand, ['--stack', 'Gazette'], stack.shell);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const lines = first.out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Ran ${stack.functionName} on Gazette \\(eu-west-1\\), run [0-9a-f-]{36}$`));
    expect(lines.slice(1, 4)).toEqual([
      'Digests: 1 new, 0 updated, 0 unchanged (1 in the archive)',
      `Files:   ${(await stack.harness.keys()).filter(isSitePath).length} written, 0 unchanged`,
      // The deployed publisher renders and enqueues; the senders mail.
      'Mail:    1 queued for the senders, 0 already sent',
    ]);
    expect(lines.at(-2)).toMatch(/^Done in \d+\.\d\d s$/);
    // One synchronous Invoke of the function the outputs name, with an empty event.
    const invokes = stack.control.calls.filter((call) => call.action === 'Invoke');
    expect(invokes).toEqual([
      { service: 'lambda', action: 'Invoke', target: stack.functionName, invocationType: 'RequestResponse', payload: '{}' },
    ]);

    const again = await run(runCommand, [], stack.shell);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Digests: 0 new, 0 updated, 1 unchanged (1 in the archive)');
    expect(again.out).toContain('Mail:    0 queued for the senders, 0 already sent');
  });

  it('exits 75 when another run holds the lease, and 1 with the error when the publisher fails', async () => {
    let fail = false;
    const stack = await deploy({
      handler: (publisher) => async (event, context) => {
        if (fail) throw new TypeError('the archive is unreadable');
        return publisher(event, context);
      },
    });
    const leaseHolder = {
      id: 'lease#publisher',
      owner: 'scheduled-run',
      acquiredAt: new Date().toISOString(),
      expiresAt: Math.ceil(Date.now() / 1000) + 600,
    };
    await stack.harness.clients.doc.send(new PutCommand({ TableName: stack.harness.names.tables.state, Item: leaseHolder }));
    const busy = await run(runCommand, [], stack.shell);
    expect(busy).toEqual({
      code: 75,
      out: '',
      err: 'gazette run: another publisher run holds the lease on Gazette; nothing done, try again later\n',
    });
    await stack.harness.clients.doc.send(
      new DeleteCommand({ TableName: stack.harness.names.tables.state, Key: { id: 'lease#publisher' } }),
    );

    fail = true;
    const failed = await run(runCommand, [], stack.shell);
    expect(failed).toEqual({
      code: 1,
      out: '',
      err: 'gazette run: the publisher failed (Unhandled): TypeError: the archive is unreadable\n',
    });
  });

  it('names a missing stack, and an output an older deploy does not have, with exit 2', async () => {
    const stack = await deploy({ stackName: 'Other' });
    expect(await run(runCommand, ['--stack', 'Gazette'], stack.shell)).toEqual({
      code: 2,
      out: '',
      err: 'gazette run: no stack named Gazette in eu-west-1 (pass --stack NAME and --region REGION of your cdk deploy)\n',
    });
    expect((await run(runCommand, ['--stack', 'Other', 'extra'], stack.shell)).err).toBe('gazette run: unexpected argument "extra"\n');
    expect((await run(runCommand, ['--stack', 'Other', '--bogus'], stack.shell)).code).toBe(2);
  });
});

describe('gazette status --stack', () => {
  it('shows the last run, subscribers by status, SES sending and the queue depth', async () => {
    const stack = await deploy();
    await setSesFaults(stack.harness.endpoints.ses, { maxSendRate: 14, statistics: { bounces: 0, complaints: 0, rejects: 0 } });
    const before = await run(statusCommand, [], stack.shell);
    expect(before.code).toBe(0);
    expect(before.out).toContain('Last run:    none recorded yet');
    expect(before.out).toContain('Subscribers: 0 confirmed, 0 pending, 0 unsubscribed, 0 bounced, 0 complained (0 in all)');

    for (const [label, status] of [
      ['a', 'confirmed'],
      ['b', 'confirmed'],
      ['c', 'pending'],
      ['d', 'unsubscribed'],
      ['e', 'bounced'],
    ] as const)
      await stack.harness.seedSubscriber(stack.harness.address(label), status);
    expect((await run(runCommand, [], stack.shell)).code).toBe(0);

    const after = await run(statusCommand, ['--stack', 'Gazette'], stack.shell);
    expect(after.err).toBe('');
    expect(after.code).toBe(0);
    const lines = after.out.trimEnd().split('\n');
    expect(lines[0]).toBe('Stack:       Gazette (eu-west-1), UPDATE_COMPLETE');
    expect(lines[1]).toMatch(/^Last run: {4}\d{4}-\d\d-\d\d \d\d:\d\d UTC, just now \(run [0-9a-f-]{36}\): ok, took \d+\.\d s$/);
    expect(lines[2]).toMatch(
      /^ {13}1 new, 0 updated digest\(s\) \(1 on the site\); \d+ file\(s\) written; mail: 2 queued for the senders, 0 already sent$/,
    );
    expect(lines).toContain('Subscribers: 2 confirmed, 1 pending, 1 unsubscribed, 1 bounced, 0 complained (5 in all)');
    expect(lines).toContain('Sending:     0 of 50,000 sent in the last 24 h (0.0 % of the quota), at most 14 mails/s');
    expect(lines).toContain('             last 14 days: 0 sent, bounces n/a, complaints n/a, 0 rejected by SES');
    // The edition is rendered once and its two recipients enqueued in one message for the senders.
    expect(lines).toContain('Send queue:  1 waiting, 0 in flight, 0 held back; dead-letter queue: 0');

    const json = JSON.parse((await run(statusCommand, ['--json'], stack.shell)).out) as Record<string, { ok: boolean; value: unknown }>;
    expect(json.subscribers).toEqual({ ok: true, value: { confirmed: 2, pending: 1, unsubscribed: 1, bounced: 1 } });
    expect(json.queue?.value).toEqual({
      send: { visible: 1, inFlight: 0, delayed: 0 },
      deadLetter: { visible: 0, inFlight: 0, delayed: 0 },
    });
  });

  it("records a failed run's error for status, and warns of the sandbox and of a high bounce rate", async () => {
    // A keyring the function cannot parse: every run fails after it started, as a broken secret would.
    const stack = await deploy({ variables: { [LOCAL_ENV.tokenKeyringJson]: '{"currentKeyId":"k9"}' } });
    await setSesFaults(stack.harness.endpoints.ses, { maxSendRate: 1, max24HourSend: 200, statistics: { bounces: 1 } });
    // One send SES accepted, so the bounce has a base: 1 in 1.
    await stack.harness.clients.ses.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from('Subject: x\r\n\r\nx\r\n') },
        Destinations: [stack.harness.address('x')],
        Source: 'news@example.com',
      }),
    );
    // A sender met the quota: every sender waits until the pause ends, and status says so.
    const pausedUntil = new Date(Date.now() + 30 * 60_000);
    await new DynamoSendingPause(stack.harness.clients.doc, stack.harness.names.tables.state).pauseUntil(pausedUntil, 'quota');
    const failed = await run(runCommand, [], stack.shell);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/^gazette run: the publisher failed \(Unhandled\): \w*Error: .+\n$/);
    const why = /\(Unhandled\): (.+)\n$/.exec(failed.err)![1]!;

    const status = await run(statusCommand, [], stack.shell);
    expect(status.code).toBe(0);
    const lines = status.out.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^Last run: {4}.+ UTC, just now \(run [0-9a-f-]{36}\): failed, took \d+\.\d s$/);
    expect(lines[2]).toBe(`             ! run failed: ${why}`);
    expect(lines).toContain('Sending:     1 of 200 sent in the last 24 h (0.5 % of the quota), at most 1 mails/s');
    expect(lines).toContain('             last 14 days: 1 sent, bounces 100.00 %, complaints 0.000 %, 0 rejected by SES');
    expect(lines).toContain('             ! looks like the SES sandbox: only verified addresses receive mail; request production access');
    expect(lines).toContain('             ! bounce rate at or above 5 %: SES reviews accounts from here (clean the list)');
    expect(lines).toContain(`             ! senders paused until ${pausedUntil.toISOString()} (daily quota spent); the queue waits`);
  });

  it('prints the parts it can read and exits 1 naming the one it cannot', async () => {
    const stack = await deploy();
    // A queue that is not there (deleted by hand, or a missing sqs:GetQueueAttributes permission).
    stack.outputs[STACK_OUTPUTS.sendQueueUrl] = `${stack.sendQueueUrl}-gone`;
    const status = await run(statusCommand, [], stack.shell);
    expect(status.code).toBe(1);
    expect(status.out).toContain('Subscribers: 0 confirmed');
    expect(status.out).toMatch(/^Send queue: {2}unavailable: \S+: .+$/m);
  });
});

describe('gazette send-test and preview --stack', () => {
  it("sends the deployed stack's next edition through SES marked [Test], changing nothing on the stack", async () => {
    // With daily editions enabled, the seed digest an instant run has mailed is still in the next daily one.
    const stack = await deploy({ variables: { [ENV.cadences]: 'instant,daily' } });
    await stack.harness.seedSubscriber(stack.harness.address('reader'), 'confirmed');
    expect((await run(runCommand, [], stack.shell)).code).toBe(0);
    const state = async () => [await stack.harness.stateItems(), await stack.harness.deliveries(), await stack.harness.keys()];
    const before = await state();

    const me = stack.harness.address('operator');
    const sent = await run(stackSend('send-test'), ['--to', me, '--stack', 'Gazette'], stack.shell);
    expect(sent.err).toBe('');
    expect(sent.code).toBe(0);
    // One test copy per enabled cadence, as the local send-test sends.
    const address = me.replace(/[+.]/g, '\\$&');
    expect(sent.out.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^instant: test sent to ${address} \\(SES message [\\w-]+\\)$`)),
      expect.stringMatching(new RegExp(`^daily: test sent to ${address} \\(SES message [\\w-]+\\)$`)),
    ]);
    const mails = (await stack.harness.mails()).filter((mail) => mail.to === me);
    expect(mails).toHaveLength(2);
    for (const mail of mails) expect(mail.parsed.subject).toMatch(/^\[Test\] Gazette Integration · /);
    // The deployed settings rendered it: the stack's base URL in its links, its sender in From.
    for (const mail of mails) {
      expect(mail.parsed.text).toContain('https://news.example.com/');
      expect(mail.parsed.from?.value[0]?.address).toBe('news@example.com');
    }
    // No cursor, claim, ledger entry, digest or page changed (the lease was never taken).
    expect(await state()).toEqual(before);
  });

  it('an address the SES sandbox has not verified is a clear error naming what to do (exit 3)', async () => {
    const stack = await deploy({ variables: { [ENV.cadences]: 'instant,daily' } });
    expect((await run(runCommand, [], stack.shell)).code).toBe(0);
    const stranger = stack.harness.address('unverified');
    await setSesFaults(stack.harness.endpoints.ses, { unverifiedRecipients: [stranger] });
    const refused = await run(stackSend('send-test'), ['--to', stranger, '--stack', 'Gazette'], stack.shell);
    expect(refused.code).toBe(3);
    expect(refused.out).toBe('');
    expect(refused.err).toBe(
      `gazette send-test: SES refused ${stranger}: the account is in the SES sandbox, which only mails verified addresses ` +
        `(Email address is not verified. The following identities failed the check in region EU-WEST-1: ${stranger}). ` +
        `Verify it (aws sesv2 create-email-identity --email-identity ${stranger}, then open the link SES mails) or request production access.\n`,
    );
    expect((await run(stackSend('send-test'), ['--stack', 'Gazette'], stack.shell)).err).toBe(
      'gazette send-test: send-test needs --to ADDRESS\n',
    );
  });

  it('preview --stack writes the next editions to local files and sends nothing', async () => {
    const stack = await deploy({ variables: { [ENV.cadences]: 'instant,daily' } });
    expect((await run(runCommand, [], stack.shell)).code).toBe(0);
    const sendsBefore = (await capturedSends(stack.harness.endpoints.ses)).length;
    const out = await mkdtemp(join(tmpdir(), 'gazette-preview-'));
    open.push(() => rm(out, { recursive: true, force: true }));
    const preview = await run(stackSend('preview'), ['--stack', 'Gazette', '--out', out], stack.shell);
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toBe(
      [
        `instant: 1 digest(s) -> ${join(out, 'preview', 'instant.eml')} (.html)`,
        `daily: 1 digest(s) -> ${join(out, 'preview', 'daily.eml')} (.html)\n`,
      ].join('\n'),
    );
    expect((await readdir(join(out, 'preview'))).sort()).toEqual(['daily.eml', 'daily.html', 'instant.eml', 'instant.html']);
    expect(await readFile(join(out, 'preview', 'daily.html'), 'utf8')).toContain('https://news.example.com/');
    expect((await capturedSends(stack.harness.endpoints.ses)).length).toBe(sendsBefore);
  });
});

describe('gazette unpublish ID --stack', () => {
  async function deployWithTwoDigests() {
    const stack = await deploy();
    await stack.harness.clients.s3.send(
      new PutObjectCommand({
        Bucket: stack.harness.names.bucket,
        Key: 'inbox/library.md',
        Body: '---\ntitle: The new library opens\n---\n\nThe council opened the new library on Tuesday. It holds forty thousand books.\n',
      }),
    );
    expect((await run(runCommand, [], stack.shell)).code).toBe(0);
    const digests = await stack.harness.digests();
    expect(digests).toHaveLength(2);
    return { stack, seed: digests.find((digest) => digest.sourceName !== 'inbox/library.md')! };
  }

  it('tombstones the digest, deletes its page and rewrites the listings and feeds without it; the next run keeps it out', async () => {
    const { stack, seed } = await deployWithTwoDigests();
    const page = `digests/${seed.slug}/index.html`;
    expect(await stack.harness.keys('digests/')).toContain(page);
    // Through the registered command, as `npx gazette unpublish ID --stack NAME` runs it (the shell's variables).
    for (const [name, value] of Object.entries(stack.shell)) vi.stubEnv(name, value);
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const io = memoryIo();
    const code = await runGazette(['unpublish', seed.id, '--stack', 'Gazette'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.out()).toMatch(new RegExp(`^Unpublished: .+ \\(${seed.id}\\); [1-9]\\d* file\\(s\\) rewritten\\n`));
    expect(io.out()).toContain('CloudFront may serve the removed page from its cache for up to 60 min');

    expect(await stack.harness.keys('digests/')).not.toContain(page);
    const rss = (await stack.harness.object('feeds/rss.xml')).body.toString('utf8');
    expect(rss).not.toContain(seed.slug);
    expect(rss).toContain('library');
    expect((await stack.harness.object('index.html')).body.toString('utf8')).not.toContain(seed.slug);
    expect((await stack.harness.digests()).find((digest) => digest.id === seed.id)?.unpublishedAt).toBeDefined();

    // The seed article is still bundled: the next run leaves it unpublished.
    expect((await run(runCommand, [], stack.shell)).out).toContain('(1 in the archive)');
    expect(await stack.harness.keys('digests/')).not.toContain(page);
    const again = memoryIo();
    expect(await runGazette(['unpublish', seed.slug, '--stack', 'Gazette'], again)).toBe(0);
    expect(again.out()).toMatch(/^Already unpublished: /);
  });

  it('waits for a running publisher (exit 75) and names an unknown digest (exit 2)', async () => {
    const { stack, seed } = await deployWithTwoDigests();
    const lease = { id: 'lease#publisher', owner: 'scheduled-run', expiresAt: Math.ceil(Date.now() / 1000) + 600 };
    await stack.harness.clients.doc.send(new PutCommand({ TableName: stack.harness.names.tables.state, Item: lease }));
    expect(await run(stackUnpublishCommand, [seed.id, '--stack', 'Gazette'], stack.shell)).toEqual({
      code: 75,
      out: '',
      err: 'gazette unpublish: the publisher of Gazette is running (it holds the lease); nothing done, try again later\n',
    });
    expect(await stack.harness.keys('digests/')).toContain(`digests/${seed.slug}/index.html`);
    await stack.harness.clients.doc.send(
      new DeleteCommand({ TableName: stack.harness.names.tables.state, Key: { id: 'lease#publisher' } }),
    );
    expect(await run(stackUnpublishCommand, ['no-such-digest', '--stack', 'Gazette'], stack.shell)).toEqual({
      code: 2,
      out: '',
      err: 'gazette unpublish: no digest has the id or slug "no-such-digest"\n',
    });
    expect((await run(stackUnpublishCommand, ['--stack', 'Gazette'], stack.shell)).err).toBe(
      'gazette unpublish: name the digest: gazette unpublish ID --stack NAME (its id or slug)\n',
    );
    // The lease it took is given back: a publisher run can start.
    expect((await stack.harness.stateItems()).filter((item) => String(item.id).startsWith('lease#'))).toEqual([]);
  });
});
