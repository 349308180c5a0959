/**
 * `gazette status --stack NAME`: how a deployed stack is doing, read with the operator's credentials:
 * the publisher's last run (its record in the state table), subscribers by status (one projected scan),
 * SES sending (GetSendQuota, GetSendStatistics, and the senders' shared pause) and the send queue's depth with its dead-letter queue
 * (GetQueueAttributes). Each part is read on its own: a missing permission blanks one line, not all.
 */
import { GetSendQuotaCommand, GetSendStatisticsCommand } from '@aws-sdk/client-ses';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoLastRun } from '../../adapters/aws/dynamodb-last-run.js';
import { DynamoSendingPause } from '../../adapters/aws/dynamodb-sending-pause.js';
import { DynamoSubscribers } from '../../adapters/aws/dynamodb-subscribers.js';
import type { SendingPause } from '../../core/send/ports.js';
import { createDynamoClients, createSesClient, createSqsClient } from '../../shared/aws-clients.js';
import { EXIT_CODES, formatError, reportError, terminalSafe, type CommandIo, type ExitCode } from '../cli-errors.js';
import { STACK_OUTPUTS } from '../../shared/stack-outputs.js';
import { write } from '../action-command.js';
import { openStack, parseStackArgs, STACK_FLAGS_USAGE, type ShellEnvironment } from '../operator/deployed-stack.js';
import { type QueueDepth, type Section, type SendingFigures, type StatusReport, statusLines } from '../operator/status-report.js';

/** Help text of `gazette status`. */
export const STATUS_USAGE = `usage: gazette status [--stack NAME] [--region REGION] [--json]

How the deployed stack is doing: the publisher's last run (when, what it did, what went wrong),
subscribers by status, SES sending (quota used in the last 24 hours, MaxSendRate, bounce and
complaint rates of the last 14 days) and the send queue's depth, dead-letter queue included.
Exit 1 when a part could not be read (it says why); reading changes nothing.

  --json               the same as one JSON object
${STACK_FLAGS_USAGE}
`;

/** Resolves to the section's value, or to why it failed (one line). */
async function section<T>(read: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: terminalSafe(formatError(error)) };
  }
}

async function sendingFigures(ses: ReturnType<typeof createSesClient>, pause: SendingPause): Promise<SendingFigures> {
  const [quota, statistics, paused] = await Promise.all([
    ses.send(new GetSendQuotaCommand({})),
    ses.send(new GetSendStatisticsCommand({})),
    pause.active(new Date()),
  ]);
  const lastTwoWeeks = { deliveryAttempts: 0, bounces: 0, complaints: 0, rejects: 0 };
  for (const point of statistics.SendDataPoints ?? []) {
    lastTwoWeeks.deliveryAttempts += point.DeliveryAttempts ?? 0;
    lastTwoWeeks.bounces += point.Bounces ?? 0;
    lastTwoWeeks.complaints += point.Complaints ?? 0;
    lastTwoWeeks.rejects += point.Rejects ?? 0;
  }
  return {
    max24HourSend: quota.Max24HourSend ?? 0,
    sentLast24Hours: quota.SentLast24Hours ?? 0,
    maxSendRate: quota.MaxSendRate ?? 0,
    lastTwoWeeks,
    ...(paused ? { paused: { until: paused.until.toISOString(), reason: paused.reason } } : {}),
  };
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const read = (name: string) => Number(attributes[name as keyof typeof attributes] ?? 0);
  return {
    visible: read('ApproximateNumberOfMessages'),
    inFlight: read('ApproximateNumberOfMessagesNotVisible'),
    delayed: read('ApproximateNumberOfMessagesDelayed'),
  };
}

/** Runs `gazette status`; `env` is the shell's (region and, in tests, the stand-in endpoints). */
export async function statusCommand(args: string[], io: CommandIo, env: ShellEnvironment = process.env): Promise<ExitCode> {
  try {
    const { values } = parseStackArgs(args, { json: { type: 'boolean' } }, 0);
    if (values.help) {
      io.stdout.write(STATUS_USAGE);
      return EXIT_CODES.ok;
    }
    const stack = await openStack(values, env);
    const dynamo = createDynamoClients(stack.clientOptions);
    const ses = createSesClient(stack.clientOptions);
    const sqs = createSqsClient(stack.clientOptions);
    let report: StatusReport;
    try {
      const [lastRun, subscribers, sending, queue] = await Promise.all([
        section(() => new DynamoLastRun(dynamo.doc, stack.output(STACK_OUTPUTS.stateTableName)).read()),
        section(() => new DynamoSubscribers(dynamo.doc, stack.output(STACK_OUTPUTS.subscribersTableName)).countByStatus()),
        section(() => sendingFigures(ses, new DynamoSendingPause(dynamo.doc, stack.output(STACK_OUTPUTS.stateTableName)))),
        section(async () => {
          const [send, deadLetter] = await Promise.all([
            depth(sqs, stack.output(STACK_OUTPUTS.sendQueueUrl)),
            depth(sqs, stack.output(STACK_OUTPUTS.sendDeadLetterQueueUrl)),
          ]);
          return { send, deadLetter };
        }),
      ]);
      report = { stack: { name: stack.name, status: stack.status, region: stack.region }, lastRun, subscribers, sending, queue };
    } finally {
      dynamo.doc.destroy();
      dynamo.dynamodb.destroy();
      ses.destroy();
      sqs.destroy();
    }
    await write(io.stdout, values.json ? `${JSON.stringify(report)}\n` : `${statusLines(report, new Date()).join('\n')}\n`);
    const complete = [report.lastRun, report.subscribers, report.sending, report.queue].every((part) => part.ok);
    return complete ? EXIT_CODES.ok : EXIT_CODES.failure;
  } catch (error) {
    return reportError(io, 'status', error, args.includes('--verbose'));
  }
}
