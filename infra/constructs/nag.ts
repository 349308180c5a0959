import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * How cdk-nag spells the ARN of `construct`'s CloudFormation resource inside a finding id, e.g.
 * `<SiteBucket397A1860.Arn>`, so a wildcard acknowledgement can name the exact resource it covers
 * (cdk-nag 3 matches finding ids exactly, one acknowledgement per finding).
 */
export function nagArnOf(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnResource;
  const stack = Stack.of(construct);
  return `<${stack.resolve(stack.getLogicalId(resource)) as string}.Arn>`;
}
