/**
 * Everything that holds state: one DynamoDB table per TABLES entry, the media bucket (plus its access-log
 * bucket) and the provider-keys secret. Access is given only through the `bind*` helpers, which grant the
 * permission and set the environment variable in one call so the two cannot drift apart.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { PROVIDER_SECRETS_ENV } from '../../layers/providers/credentials.ts';
import { MEDIA_BUCKET_ENV, PARTITION_KEY, TABLES, TTL_ATTRIBUTE, physicalTableName, type TableName } from '../../layers/core/tables.ts';
import { UPLOADS_PREFIX } from '../../shared/uploads/keys.ts';

/**
 * Object-level actions the gateway needs: write outputs, read them back (and presign GETs), clean up. PutObject
 * is also what lets the media function presign upload PUTs (a presigned URL carries its signer's rights), and
 * GetObject what lets it stream an upload to a provider.
 */
const MEDIA_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/** Uploads older than this are removed (S3 honours the shorter of overlapping expirations). */
export const UPLOAD_EXPIRY_DAYS = 1;

export interface StorageProps {
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  readonly mediaExpiryDays: number;
}

export class Storage extends Construct {
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly mediaBucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly providerSecrets: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    // Disposable stages empty their buckets on delete; kept stages also get deletion protection.
    const disposable = props.removalPolicy === RemovalPolicy.DESTROY;

    const tables = {} as Record<TableName, dynamodb.Table>;
    for (const name of Object.keys(TABLES) as TableName[]) {
      tables[name] = new dynamodb.Table(this, `${name}Table`, {
        tableName: physicalTableName(props.stage, name),
        partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        // DynamoDB deletes expired items lazily; readers still treat them as absent (see tables.ts).
        timeToLiveAttribute: TTL_ATTRIBUTE,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: !disposable,
        removalPolicy: props.removalPolicy,
      });
    }
    this.tables = tables;

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: disposable,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogsBucket, [
      { id: 'AwsSolutions-S1', reason: 'This bucket is the server-access-log destination; logging it into itself would loop.' },
    ]);

    this.mediaBucket = new s3.Bucket(this, 'MediaBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'media/',
      // Outputs are handed out as presigned URLs; after expiry a client must generate again. Uploads (POST
      // /v1/uploads) are read by the call that names them, within the hour their URL lives: a day is ample.
      lifecycleRules: [
        { expiration: Duration.days(props.mediaExpiryDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'uploads', prefix: UPLOADS_PREFIX, expiration: Duration.days(UPLOAD_EXPIRY_DAYS) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: disposable,
    });

    this.providerSecrets = new secretsmanager.Secret(this, 'ProviderSecrets', {
      secretName: `compose/${props.stage}/providers`,
      description: 'Provider API keys and the x402 relayer key, as one JSON object keyed by env var name (e.g. OPENAI_API_KEY).',
      // Starts as `{}`: values are put by the operator, never through the template.
      secretObjectValue: {},
      removalPolicy: props.removalPolicy,
    });
    NagSuppressions.addResourceSuppressions(this.providerSecrets, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Third-party provider API keys are issued and rotated in each provider console; no rotation Lambda can mint them.',
      },
    ]);
  }

  /** Read/write item access to one table, and its physical name in the table's env var. */
  bindTable(fn: lambda.Function, table: TableName): void {
    this.tables[table].grantReadWriteData(fn);
    fn.addEnvironment(TABLES[table].envVar, this.tables[table].tableName);
  }

  /** Object access to the media bucket (no listing, no bucket config), and its name in MEDIA_BUCKET. */
  bindMediaBucket(fn: lambda.Function): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: MEDIA_OBJECT_ACTIONS, resources: [this.mediaBucket.arnForObjects('*')] }));
    fn.addEnvironment(MEDIA_BUCKET_ENV, this.mediaBucket.bucketName);
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'Media objects are keyed by generated ids at run time, so object access is granted on the bucket prefix with explicit actions.',
          appliesTo: [`Resource::<${this.logicalIdOf(this.mediaBucket)}.Arn>/*`],
        },
      ],
      true,
    );
  }

  /** Read access to the provider-keys secret, and its ARN in PROVIDER_SECRETS_ARN. */
  bindProviderSecrets(fn: lambda.Function): void {
    this.providerSecrets.grantRead(fn);
    fn.addEnvironment(PROVIDER_SECRETS_ENV, this.providerSecrets.secretArn);
  }

  private logicalIdOf(bucket: s3.Bucket): string {
    return Stack.of(this).resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId) as string;
  }
}
