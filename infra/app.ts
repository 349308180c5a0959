import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSettings, SettingsError } from './config.js';
import { DEFAULT_STACK_NAME } from '../functions/shared/stack-outputs.js';
import { GazetteStack } from './gazette-stack.js';

/**
 * Composition root of the CDK app (`cdk synth`, `cdk deploy`): validates the `gazette:` settings,
 * builds the one stack (environment-agnostic, so synth needs no credentials) and checks it with
 * cdk-nag's AwsSolutions pack, whose errors stop the synth.
 */
const app = new App();
try {
  const settings = loadSettings(app.node.getAllContext());
  new GazetteStack(app, DEFAULT_STACK_NAME, {
    settings,
    description: 'Gazette: scheduled digests as a site, feeds and email (S3, CloudFront, Lambda, SES, DynamoDB)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  // A bad setting is the operator's to fix: one line naming the key, no stack trace, nothing created.
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
