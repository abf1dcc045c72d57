/**
 * CloudFormation validation of synthesized templates, once per distinct template: the validator `cdk synth` runs
 * (aws-cdk-lib's CloudFormationValidatePlugin, a WebAssembly engine, with the rules CDK skips skipped), run here on
 * templates a synth wrote with validation off. Starting the engine costs about 4 s of CPU per process, then
 * well under a second a template; run inside each `cdk synth`, every synth paid the start. Here one process
 * validates every template, and a report is kept in the bundle cache folder (COMPOSE_BUNDLE_CACHE, set by
 * vitest.config.ts) under a hash of the template, the account and region it is checked for, and the validator's
 * version, so an unchanged template is not validated again on the next run.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** One finding: a rule, what it says, the logical ids it was found on. */
export interface ValidationViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly resources: readonly string[];
}

export interface TemplateToValidate {
  readonly templatePath: string;
  readonly accountId?: string;
  readonly region?: string;
}

interface PluginReport {
  readonly violations: readonly { ruleName: string; description: string; severity: string; violatingResources: readonly { resourceLogicalId?: string }[] }[];
}

interface ValidatePlugin {
  validate(context: { stackTemplates: { stackConstructPath: string; templatePath: string; accountId?: string; region?: string }[] }): PluginReport;
}

const require = createRequire(import.meta.url);
const CDK_ROOT = path.dirname(require.resolve('aws-cdk-lib/package.json'));
/** Not among aws-cdk-lib's exports: loaded from its file, as its synthesis does (core/lib/private/synthesis-validation.js). */
const PLUGIN_FILE = path.join(CDK_ROOT, 'core/lib/validation/cloudformation-validate-plugin.js');

let plugin: ValidatePlugin | undefined;
const validator = (): ValidatePlugin => {
  plugin ??= new (require(PLUGIN_FILE) as { CloudFormationValidatePlugin: new () => ValidatePlugin }).CloudFormationValidatePlugin();
  return plugin;
};

/** aws-cdk-lib bundles the validator and its rules, so its version names theirs (without loading the engine). */
const VALIDATOR_VERSION = (require('aws-cdk-lib/package.json') as { version: string }).version;

const cacheFile = (template: string, target: TemplateToValidate): string | undefined => {
  const root = process.env.COMPOSE_BUNDLE_CACHE;
  if (!root) return undefined;
  const key = createHash('sha256')
    .update(`aws-cdk-lib ${VALIDATOR_VERSION}\0${target.accountId ?? ''}\0${target.region ?? ''}\0`)
    .update(template)
    .digest('hex')
    .slice(0, 32);
  return path.join(root, 'cfn-validation', `${key}.json`);
};

const validateOne = (target: TemplateToValidate): ValidationViolation[] => {
  const template = fs.readFileSync(target.templatePath, 'utf8');
  const cached = cacheFile(template, target);
  if (cached && fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8')) as ValidationViolation[];
  const report = validator().validate({
    stackTemplates: [{ stackConstructPath: path.basename(target.templatePath), templatePath: target.templatePath, accountId: target.accountId, region: target.region }],
  });
  const violations = report.violations.map((v) => ({
    ruleName: v.ruleName,
    description: v.description,
    severity: v.severity,
    resources: v.violatingResources.map((r) => r.resourceLogicalId ?? ''),
  }));
  if (cached) {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    // Written aside and renamed, so a concurrent reader sees a whole report or none.
    const scratch = `${cached}.tmp-${process.pid}`;
    fs.writeFileSync(scratch, JSON.stringify(violations));
    fs.renameSync(scratch, cached);
  }
  return violations;
};

/** Every finding of every template, errors, warnings and notes alike (cdk.json turns its errors into synth failures). */
export const validateTemplates = (targets: readonly TemplateToValidate[]): Record<string, ValidationViolation[]> =>
  Object.fromEntries(targets.map((target) => [path.basename(target.templatePath), validateOne(target)]));
