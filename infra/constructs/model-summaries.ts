import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../functions/shared/env-names.js';
import type { ConfigurableFunction } from './gazette-function.js';

/** Properties of {@link ModelSummaries}. */
export interface ModelSummariesProps {
  /** The Bedrock foundation model (validated by the settings schema: no inference profiles). */
  readonly modelId: string;
  /** Model tokens per UTC day (counted in the state table, which the publisher already writes). */
  readonly dailyTokenBudget: number;
}

/**
 * Model-backed summaries on Amazon Bedrock (only in a stack deployed with `gazette:summarizer=bedrock`).
 * No resource of its own: model access is the account's, and the answer cache and the token budget are
 * items in the state table. What it owns is the permission — `bedrock:InvokeModel` (which Converse
 * needs) on the one foundation model of the setting, in the stack's own region — and the variables that
 * tell the publisher to use it, granted together.
 */
export class ModelSummaries extends Construct {
  /** ARN of the foundation model, e.g. `arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-micro-v1:0`. */
  readonly modelArn: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ModelSummariesProps,
  ) {
    super(scope, id);
    // Foundation models belong to no account: the ARN's account field is empty.
    this.modelArn = Stack.of(this).formatArn({
      service: 'bedrock',
      account: '',
      resource: 'foundation-model',
      resourceName: props.modelId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** Lets `fn` summarise with the model: the invoke permission on that model only, and the settings. */
  grantSummarize(fn: ConfigurableFunction): void {
    fn.addEnvironment(ENV.summarizer, 'bedrock');
    fn.addEnvironment(ENV.bedrockModelId, this.props.modelId);
    fn.addEnvironment(ENV.bedrockDailyTokenBudget, String(this.props.dailyTokenBudget));
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['bedrock:InvokeModel'], resourceArns: [this.modelArn] });
  }
}
