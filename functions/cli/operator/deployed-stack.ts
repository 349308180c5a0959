/**
 * The operator commands' view of a deployed Gazette stack: its outputs (CloudFormation DescribeStacks)
 * name the resources, the publisher function's environment holds the deployed settings. The
 * operator's own credentials are used (the AWS SDK default chain: environment, profile, SSO, instance
 * role); the local endpoint variables (`GAZETTE_*_ENDPOINT`) point the clients at stand-ins in tests.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { ParseArgsConfig } from 'node:util';
import { parseFlags } from '../flag-values.js';
import { ConfigError } from '../../core/errors.js';
import { type AwsClientOptions, createCloudFormationClient, createLambdaClient } from '../../shared/aws-clients.js';
import { endpointOverrides, loadPublisherEnv, type EndpointOverrides, type PublisherEnv } from '../../shared/env.js';
import { DEFAULT_STACK_NAME, STACK_OUTPUTS, type StackOutputKey } from '../../shared/stack-outputs.js';

/** The flags every stack command takes. */
export const STACK_FLAGS = {
  stack: { type: 'string' },
  region: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The help lines of {@link STACK_FLAGS}, for each command's usage text. */
export const STACK_FLAGS_USAGE = `  --stack NAME         the deployed stack               default: ${DEFAULT_STACK_NAME}
  --region REGION      its region                       default: $AWS_REGION, else your profile's
  --verbose            stack traces on errors
  -h, --help           this text`;

/**
 * Parses a stack command's arguments with its own `options` next to {@link STACK_FLAGS}; throws
 * `ConfigError` (exit 2) for an unknown flag or a wrong number of operands (`missing` says what to give).
 */
export function parseStackArgs<const Options extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: Options,
  operands: number,
  missing = `takes ${operands} argument(s)`,
) {
  const config = { args, strict: true, allowPositionals: true, options: { ...STACK_FLAGS, ...options } } as const;
  const parsed = parseFlags(config);
  if ((parsed.values as { help?: boolean }).help !== true && parsed.positionals.length !== operands) {
    throw new ConfigError(
      parsed.positionals.length > operands ? `unexpected argument ${JSON.stringify(parsed.positionals[operands])}` : missing,
    );
  }
  return parsed;
}

/** A deployed stack as DescribeStacks shows it. */
export interface DeployedStack {
  name: string;
  /** `CREATE_COMPLETE`, `UPDATE_IN_PROGRESS`, … */
  status: string;
  /** The region the clients talk to (from the flag, the environment or the profile). */
  region: string;
  /** What every client of this stack is built with. */
  clientOptions: AwsClientOptions & { endpoints: EndpointOverrides };
  /** The value of output `key`; throws `ConfigError` when the stack has none (an older deploy). */
  output(key: StackOutputKey): string;
  /** The value of output `key`, or `undefined`. */
  optionalOutput(key: StackOutputKey): string | undefined;
}

/** What the shell gives the operator commands: the region variables and the local endpoint variables. */
export type ShellEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Finds stack `name` (default {@link DEFAULT_STACK_NAME}) and reads its outputs. Throws `ConfigError`
 * when there is no such stack in the region, naming both.
 */
export async function openStack(
  flags: { stack?: string | undefined; region?: string | undefined },
  env: ShellEnvironment = process.env,
): Promise<DeployedStack> {
  const name = flags.stack ?? DEFAULT_STACK_NAME;
  const endpoints = endpointOverrides(env);
  const clientOptions = { region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION, endpoints };
  const cloudformation = createCloudFormationClient(clientOptions);
  try {
    const region = await resolvedRegion(cloudformation.config.region);
    let stacks;
    try {
      ({ Stacks: stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: name })));
    } catch (error) {
      if (error instanceof Error && error.name === 'ValidationError' && /does not exist/i.test(error.message)) {
        throw new ConfigError(`no stack named ${name} in ${region} (pass --stack NAME and --region REGION of your cdk deploy)`);
      }
      throw error;
    }
    const stack = stacks?.[0];
    if (!stack) throw new ConfigError(`no stack named ${name} in ${region}`);
    const outputs = new Map(
      (stack.Outputs ?? []).flatMap((output) =>
        output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue] as const] : [],
      ),
    );
    return {
      name,
      status: stack.StackStatus ?? 'UNKNOWN',
      region,
      clientOptions: { ...clientOptions, region },
      optionalOutput: (key) => outputs.get(key),
      output(key) {
        const value = outputs.get(key);
        if (value === undefined)
          throw new ConfigError(
            `stack ${name} has no output ${key}: it was deployed by an older Gazette; run cdk deploy with this version first`,
          );
        return value;
      },
    };
  } finally {
    cloudformation.destroy();
  }
}

/** The client's region, or a usage error saying how to give one. */
async function resolvedRegion(provider: () => Promise<string>): Promise<string> {
  try {
    return await provider();
  } catch {
    throw new ConfigError('no AWS region: pass --region REGION or set AWS_REGION (or a region in your AWS profile)');
  }
}

/**
 * The deployed publisher's settings (site, mail, cadences, bucket, tables, keyring source): its
 * environment, read with GetFunctionConfiguration and parsed by the very schema the function parses
 * it with at cold start, so a preview or an unpublish from here renders exactly as the function would.
 * The endpoints are this shell's, not the function's.
 */
export async function deployedPublisherEnv(stack: DeployedStack): Promise<PublisherEnv> {
  const lambda = createLambdaClient(stack.clientOptions);
  try {
    const config = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: stack.output(STACK_OUTPUTS.publisherFunctionName) }),
    );
    const variables = config.Environment?.Variables ?? {};
    return { ...loadPublisherEnv({ ...variables, AWS_REGION: stack.region }), endpoints: stack.clientOptions.endpoints };
  } finally {
    lambda.destroy();
  }
}
