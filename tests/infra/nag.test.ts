import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesisedGazette, synthGazette } from './synth.js';

let gazette: SynthesisedGazette;

beforeAll(() => {
  // The variant with every optional feature on, so every construct is checked.
  gazette = synthGazette({
    'gazette:senderEmail': 'news@example.com',
    'gazette:domain': 'example.com',
    'gazette:operatorEmail': 'ops@example.com',
  });
});

/** Every acknowledgement recorded in the construct tree: rule id → reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: unknown }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, errors and warnings alike', () => {
    const report = gazette.nag.validateScope(gazette.app);
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets the app synthesise with the checks registered, leaving no error or warning annotation', () => {
    // The first synth of this app, so the registered AwsSolutions plugin really runs here.
    expect(() => gazette.app.synth()).not.toThrow();
    const annotations = Annotations.fromStack(gazette.stack);
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('gives every acknowledgement a reason of its own', () => {
    const acknowledged = acknowledgements(gazette.app);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledged) {
      expect(typeof reason, `${id} at ${path}`).toBe('string');
      expect((reason as string).length, `${id} at ${path}`).toBeGreaterThanOrEqual(40);
    }
    // Wildcards are acknowledged finding by finding, never a whole rule.
    for (const { id } of acknowledged.filter((entry) => entry.id.includes('IAM5'))) {
      expect(id).toMatch(/IAM5\[Resource::.+\]$/);
    }
  });

  it('fails the synth when a finding is not acknowledged', () => {
    // Proof that the checks bite: the same app with one more, unacknowledged wildcard grant.
    const probe = synthGazette({ 'gazette:senderEmail': 'news@example.com' });
    const role = probe.stack.node.findAll().find((construct) => construct.node.path.endsWith('Publisher/Handler/Role'));
    expect(role).toBeDefined();
    (role as iam.Role).addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    const findings = probe.nag.validateScope(probe.app).violations.map((violation) => violation.ruleName);
    expect(findings).toContain('AwsSolutions-IAM5[Action::s3:*]');
    expect(() => probe.app.synth()).toThrow(/AwsSolutions-IAM5/);
  });
});
