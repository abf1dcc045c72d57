/**
 * Builds the one stack of an App from its context, with tags and cdk-nag. Shared by `infra/bin/app.ts` and
 * the infra tests, so the tests check exactly what `cdk synth` produces, AwsSolutions checks included.
 */
import { Aspects, Tags, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStageConfig } from './config.ts';
import { ComposeStack } from './compose-stack.ts';
import { ACCOUNT_STACK_NAME, AccountStack } from './account-stack.ts';

export const stackNameFor = (stage: string): string => `ComposeInference-${stage}`;

export const buildComposeApp = (app: App, env: { account?: string; region?: string } = {}): ComposeStack => {
  const config = resolveStageConfig((key) => app.node.tryGetContext(key));
  const stack = new ComposeStack(app, stackNameFor(config.stage), {
    config,
    description: `Compose Inference (${config.stage}): serverless multi-provider OpenAI-shaped inference gateway`,
    env,
  });
  if (config.apiGatewayAccountRole) {
    // Shared by every stage in the account and region; deploying a stage deploys it first (a no-op once there).
    const account = (app.node.tryFindChild(ACCOUNT_STACK_NAME) as AccountStack | undefined) ?? new AccountStack(app, ACCOUNT_STACK_NAME, {
      description: 'Compose Inference: the account-level API Gateway CloudWatch Logs role, shared by every stage',
      env,
    });
    stack.addStackDependency(account, 'API Gateway execution logs need the account CloudWatch role');
  }
  Tags.of(app).add('project', 'compose-inference');
  Tags.of(app).add('stage', config.stage);
  // Every finding is an error or warning on synth unless acknowledged next to its cause, with a reason.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
};
