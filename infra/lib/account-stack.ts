/**
 * What API Gateway needs once per account and region, not once per stage: the CloudWatch Logs role its
 * execution logs are written with (`AWS::ApiGateway::Account` is a singleton, so two stages that each set it
 * would overwrite each other, and deleting one stage would unset it for the other). Every stage stack depends on
 * this stack; a stage config with `apiGatewayAccountRole: false` leaves the account setting to whoever manages it.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { awsManagedPolicy } from './family-function.ts';

export const ACCOUNT_STACK_NAME = 'ComposeInference-account';

export class AccountStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.role = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // Kept when this stack goes: a stage deployed later (or elsewhere) may still log through it.
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: this.role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    NagSuppressions.addResourceSuppressions(this.role, [
      {
        id: 'AwsSolutions-IAM4',
        reason: 'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-documented policy for the API Gateway account logging role.',
        appliesTo: [awsManagedPolicy('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
      },
    ]);
  }
}
