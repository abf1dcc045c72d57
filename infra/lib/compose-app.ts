/**
 * Builds the one stack of an App from its context, with tags and cdk-nag. Shared by `infra/bin/app.ts` and
 * the infra tests, so the tests check exactly what `cdk synth` produces, AwsSolutions checks included.
 */
import { Aspects, Tags, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { resolveStageConfig } from './config.ts';
import { ComposeStack } from './compose-stack.ts';

export const stackNameFor = (stage: string): string => `ComposeInference-${stage}`;

export const buildComposeApp = (app: App, env: { account?: string; region?: string } = {}): ComposeStack => {
  const config = resolveStageConfig((key) => app.node.tryGetContext(key));
  const stack = new ComposeStack(app, stackNameFor(config.stage), {
    config,
    description: `Compose Inference (${config.stage}): serverless multi-provider OpenAI-shaped inference gateway`,
    env,
  });
  Tags.of(app).add('project', 'compose-inference');
  Tags.of(app).add('stage', config.stage);
  // Every finding is an error or warning on synth unless acknowledged next to its cause, with a reason.
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return stack;
};
