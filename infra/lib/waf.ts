/**
 * An optional WAF web ACL on the API stage: one rate-based rule that blocks a source IP above `ratePerIp`
 * requests per 5 minutes, in front of the stage throttle and the per-request payment checks. Blocked requests
 * get WAF's 403; sampled requests and metrics go to CloudWatch.
 */
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface WebAclProps {
  readonly stage: string;
  /** The API stage's ARN (`arn:…:apigateway:<region>::/restapis/<id>/stages/<stage>`). */
  readonly stageArn: string;
  readonly ratePerIp: number;
}

export class WebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    this.acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `compose-${props.stage}-api`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`compose-${props.stage}-api`),
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.ratePerIp, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility(`compose-${props.stage}-rate-per-ip`),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.acl.attrArn });
  }
}
