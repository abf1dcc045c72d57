/**
 * The CDK app: the stage named by `-c stage=<name>` (default `dev`), and the once-per-account stack it depends on.
 *   npx cdk synth -c stage=prod -c composeKeysJwks="$(npm run -s keys -- jwks)"
 *   npx cdk deploy --all -c stage=dev -c composeKeysJwks="$(npm run -s keys -- jwks)"
 * (docs/deploy.md). cdk-nag's AwsSolutions checks run on every synth; an unacknowledged finding fails it.
 */
import { App } from 'aws-cdk-lib';
import { StageConfigError, resolveStageConfig } from '../lib/config.ts';

const app = new App();
try {
  // The stage's settings are checked before the stack's constructs and cdk-nag load (about half the app's start),
  // so a misconfigured stage fails at once; buildComposeApp reads them again from the same context.
  resolveStageConfig((key) => app.node.tryGetContext(key));
  const { buildComposeApp } = await import('../lib/compose-app.ts');
  // Without credentials CDK_DEFAULT_* are unset and the stack stays environment-agnostic; it still synthesizes.
  buildComposeApp(app, {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  });
} catch (error) {
  // A misconfigured stage is the operator's to fix: one line that names the setting, not a stack trace.
  if (!(error instanceof StageConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
