import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An AWS service acting for this account only, and only from `sourceArn` (a pattern; `*` allowed).
 * Without the conditions, a key or topic policy that trusts a service principal trusts that service
 * acting for any customer (the confused-deputy problem).
 */
export function serviceActingFor(service: string, sourceArn: string): iam.IPrincipal {
  return new iam.PrincipalWithConditions(new iam.ServicePrincipal(service), {
    StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
    ArnLike: { 'aws:SourceArn': sourceArn },
  });
}
