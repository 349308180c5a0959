import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { EnvName } from '../../functions/shared/env-names.js';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-names.js';
import { BUNDLE_ALIASES, copyRegularFilesCommand, ESM_REQUIRE_SHIM } from '../bundling.js';

/** The repository root: handlers, `seeds/` and package-lock.json are found relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What a resource construct's grant needs from a function: its principal for the IAM permission and a
 * way to set the environment variable that names the resource, so both always travel together.
 */
export interface ConfigurableFunction extends iam.IGrantable, IConstruct {
  /** Sets one of the shared environment variables (names from functions/shared/env-names.ts). */
  addEnvironment(name: EnvName, value: string): void;
}

/**
 * A dead-letter queue with Gazette's settings (SQS-managed encryption, TLS only, 14 days to look into
 * what failed) as `DeadLetters` under `scope`. `whose` completes "the dead-letter queue of …" in the
 * cdk-nag acknowledgement: a dead-letter queue needs no dead-letter queue of its own.
 */
export function createDeadLetterQueue(scope: Construct, whose: string): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This queue is itself the dead-letter queue of ${whose}.` });
  return queue;
}

/** Properties of a {@link GazetteFunction}: only what differs between Gazette's functions. */
export interface GazetteFunctionProps {
  /** Handler file relative to the project root, exporting `handler`, e.g. `functions/handlers/publish.ts`. */
  readonly entry: string;
  /** One line saying what the function is for (shown in the Lambda console). */
  readonly description: string;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** Folders (relative to the project root) copied next to the bundle, e.g. `['seeds']` → `/var/task/seeds`. */
  readonly bundledFolders?: readonly string[];
  /** Queue for events an asynchronous invocation could not process after Lambda's retries. */
  readonly deadLetterQueue?: sqs.IQueue;
  /** Project root to bundle from; tests and the app use the repository root. */
  readonly projectRoot?: string;
}

/**
 * The one place that decides how a Gazette Lambda function is built and run: newest Node.js runtime
 * in aws-cdk-lib, arm64, a minified ESM bundle with the AWS SDK inside (no reliance on the runtime's
 * copy, so the code that was tested is the code that runs), source maps, X-Ray tracing, and its own
 * log group with a retention period. Bundling uses the local esbuild (no Docker on CI).
 *
 * The execution role is created here with only the right to write to that log group, instead of the
 * AWSLambdaBasicExecutionRole managed policy, so every other permission is an explicit grant.
 */
export class GazetteFunction extends Construct implements ConfigurableFunction {
  /** The underlying function, for metrics, integrations and schedule targets. */
  readonly function: NodejsFunction;
  /** The function's log group (retention set here). */
  readonly logGroup: logs.LogGroup;
  /** The execution role every grant lands on. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GazetteFunctionProps) {
    super(scope, id);
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    const folders = props.bundledFolders ?? [];
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'gazette',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_SHIM,
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Line mappings only: embedding the sources would put every bundled package's source into the
        // map too, which --enable-source-maps then parses at every cold start (bench/cold-start.ts).
        esbuildArgs: {
          '--sources-content': 'false',
          ...Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
        },
        forceDockerBundling: false,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            folders.map((folder) => copyRegularFilesCommand(path.join(inputDir, folder), path.join(outputDir, folder))),
        },
      },
    });

    // Tracing needs xray:PutTraceSegments/PutTelemetryRecords, which IAM only grants on "*".
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (tracing: ACTIVE) and ses:GetSendQuota support no resource-level permissions; they are the only actions granted on "*".',
    });
  }

  /** The function's principal, so resource grants (`table.grant…(fn)`) land on its role. */
  get grantPrincipal(): iam.IPrincipal {
    return this.function.grantPrincipal;
  }

  /** Sets one environment variable by its shared name. */
  addEnvironment(name: EnvName, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
