/**
 * `gazette run --stack NAME`: "publish now" on a deployed stack. Invokes the publisher function
 * synchronously with the operator's credentials, as the schedule would, and prints the summary it
 * returns in the words `gazette publish` uses locally.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import * as z from '../../core/zod.js';
import { GazetteError } from '../../core/errors.js';
import type { PublishSummary } from '../../core/publish/run-summary.js';
import { createLambdaClient } from '../../shared/aws-clients.js';
import { EXIT_CODES, reportError, terminalSafe, type CommandIo, type ExitCode } from '../cli-errors.js';
import { STACK_OUTPUTS } from '../../shared/stack-outputs.js';
import { openStack, parseStackArgs, STACK_FLAGS_USAGE, type ShellEnvironment } from '../operator/deployed-stack.js';
import { exitCodeOfRun, failingSourceLines, inDoubtLines, summaryLines } from '../run-report.js';

/** Help text of `gazette run`. */
export const RUN_USAGE = `usage: gazette run [--stack NAME] [--region REGION]

Runs the deployed publisher now (Lambda Invoke with your AWS credentials) and prints what it did.
Like a scheduled run: new articles and feed items are published and the due editions are queued for
the senders. Another run in progress turns it away (exit 75).

${STACK_FLAGS_USAGE}
`;

/** The publisher failed: Lambda's error document (`X-Amz-Function-Error`). */
export class PublisherFailedError extends GazetteError {
  override name = 'PublisherFailedError';
}

const count = z.number().check(z.int(), z.minimum(0));

/**
 * What `run` needs of the publisher's answer, checked before printing (the function may be another
 * version than this CLI); the fields printed, the rest passed through.
 */
const answerSchema = z.looseObject({
  runId: z.string(),
  skipped: z.optional(z.literal('lease-busy')),
  digests: count,
  created: count,
  updated: count,
  unchanged: z._default(count, 0),
  held: z.object({ 'first-fetch': count, 'too-old': count }),
  sources: z.object({
    polled: count,
    newItems: count,
    failing: z.array(z.object({ url: z.string(), status: z.string(), message: z.string() })),
  }),
  articleErrors: count,
  filesWritten: count,
  filesUnchanged: count,
  mail: z.looseObject({
    sent: count,
    alreadySent: count,
    failed: count,
    deferred: count,
    stale: count,
    editions: count,
    inDoubt: z.array(z.looseObject({ deliveryId: z.string(), subscriberId: z.string() })),
    stoppedBy: z.optional(z.enum(['quota', 'throttling', 'deadline', 'sender-rejected', 'in-doubt'])),
  }),
});

const errorDocument = z.looseObject({ errorType: z.optional(z.string()), errorMessage: z.optional(z.string()) });

/** Runs `gazette run`; `env` is the shell's (region and, in tests, the stand-in endpoints). */
export async function runCommand(args: string[], io: CommandIo, env: ShellEnvironment = process.env): Promise<ExitCode> {
  try {
    const { values } = parseStackArgs(args, {}, 0);
    if (values.help) {
      io.stdout.write(RUN_USAGE);
      return EXIT_CODES.ok;
    }
    const stack = await openStack(values, env);
    const functionName = stack.output(STACK_OUTPUTS.publisherFunctionName);
    const lambda = createLambdaClient(stack.clientOptions);
    const started = performance.now();
    let answer;
    try {
      // The schedule's event minus the scheduled time: a run started now is never "behind schedule".
      answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from('{}') }));
    } finally {
      lambda.destroy();
    }
    const elapsed = (performance.now() - started) / 1000;
    const payload = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
    if (answer.FunctionError) {
      const parsed = errorDocument.safeParse(safeJson(payload));
      const what = parsed.success ? `${parsed.data.errorType ?? 'Error'}: ${parsed.data.errorMessage ?? ''}` : payload;
      throw new PublisherFailedError(`the publisher failed (${answer.FunctionError}): ${what}`);
    }
    const parsed = answerSchema.safeParse(safeJson(payload));
    if (!parsed.success) throw new GazetteError(`the publisher answered something this version cannot read: ${payload.slice(0, 300)}`);
    // Checked above; the delivery ids are only printed, so their brand is not needed.
    const summary = parsed.data as unknown as PublishSummary;
    if (summary.skipped === 'lease-busy') {
      io.stderr.write(`gazette run: another publisher run holds the lease on ${stack.name}; nothing done, try again later\n`);
      return EXIT_CODES.tryAgainLater;
    }
    const queued = stack.optionalOutput(STACK_OUTPUTS.sendQueueUrl) !== undefined;
    const lines = [
      `Ran ${terminalSafe(functionName)} on ${stack.name} (${stack.region}), run ${terminalSafe(summary.runId)}`,
      ...summaryLines(summary, { queued }),
      ...failingSourceLines(summary),
    ];
    if (summary.articleErrors > 0)
      lines.push(`Errors:  ${summary.articleErrors} article(s) skipped (the function's log names them); the rest were published`);
    lines.push(`Done in ${elapsed.toFixed(2)} s`);
    io.stdout.write(`${lines.join('\n')}\n`);
    for (const line of inDoubtLines(summary)) io.stderr.write(`${line}\n`);
    return exitCodeOfRun(summary);
  } catch (error) {
    return reportError(io, 'run', error, args.includes('--verbose'));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
