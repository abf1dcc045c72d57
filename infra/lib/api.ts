/**
 * The REST API, built from the route table. Each ROUTES entry becomes one method on its resource with a
 * Lambda proxy integration to its family's function; streaming families are invoked through
 * InvokeWithResponseStream (`responseTransferMode: STREAM`). Every resource, and `/{proxy+}`, also gets an
 * `ANY` method to the router function: API Gateway prefers a specific method over ANY, so a known path with
 * the wrong method reaches the router (405) and an unknown path reaches it through `/{proxy+}` (404), both in
 * the OpenAI error shape from our own code.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { FALLBACK_PATH, FAMILIES, ROUTES, type Family } from '../../shared/routes.ts';
import { GATEWAY_RESPONSES } from './gateway-responses.ts';

/** Buffered integrations stop at API Gateway's 29 s; streamed ones may run 15 minutes. */
const MAX_BUFFERED_SECONDS = 29;
const MAX_STREAMED_SECONDS = 900;

/**
 * Bodies API Gateway must treat as bytes, not UTF-8 text: multipart uploads for image edits and
 * transcriptions reach Lambda base64-encoded, and base64 audio/image responses from buffered integrations
 * (speech) go back to the client decoded. JSON stays text; streamed responses pass bytes through anyway.
 */
export const BINARY_MEDIA_TYPES = ['multipart/form-data', 'audio/*', 'image/*', 'video/*', 'application/octet-stream'];

/** Access-log record: JSON (cdk-nag APIG1 and structured logging), with the integration's own status and latency. */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: apigw.AccessLogField.contextRequestId(),
    extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
    ip: apigw.AccessLogField.contextIdentitySourceIp(),
    userAgent: apigw.AccessLogField.contextIdentityUserAgent(),
    requestTime: apigw.AccessLogField.contextRequestTime(),
    method: apigw.AccessLogField.contextHttpMethod(),
    resourcePath: apigw.AccessLogField.contextResourcePath(),
    path: apigw.AccessLogField.contextPath(),
    status: apigw.AccessLogField.contextStatus(),
    responseLength: apigw.AccessLogField.contextResponseLength(),
    responseLatency: apigw.AccessLogField.contextResponseLatency(),
    integrationStatus: apigw.AccessLogField.contextIntegrationStatus(),
    integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
    errorType: apigw.AccessLogField.contextErrorResponseType(),
    errorMessage: apigw.AccessLogField.contextErrorMessageString(),
    xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
  }),
);

export interface ApiProps {
  readonly stage: string;
  readonly functions: Readonly<Record<Family, lambda.IFunction>>;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** A WAF web ACL guards the stage (waf.ts), so cdk-nag's APIG3 holds without a suppression. */
  readonly waf?: boolean;
  /** X-Ray tracing on the stage. */
  readonly tracing?: boolean;
}

export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  /** Every resource by its path (`/` included), as built from the route table. */
  readonly resources: ReadonlyMap<string, apigw.IResource>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      restApiName: `compose-inference-${props.stage}`,
      description: `Compose Inference (${props.stage}): OpenAI-shaped multi-provider inference`,
      // Regional: edge-optimized endpoints cut idle streams after 30 s, regional after 5 minutes.
      endpointTypes: [apigw.EndpointType.REGIONAL],
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      // Execution logs (ERROR level) need the account-level CloudWatch role, which the once-per-account stack
      // sets (account-stack.ts): one per stage would make stages in one region overwrite each other.
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stage,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        tracingEnabled: props.tracing !== false,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies carry prompts and payment signatures: never into execution logs.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
    });

    for (const response of GATEWAY_RESPONSES) {
      this.restApi.addGatewayResponse(response.type.responseType, {
        type: response.type,
        ...(response.status ? { statusCode: response.status } : {}),
        templates: { 'application/json': response.template },
      });
    }

    const integrations = this.integrationsFor(props.functions);
    const resources = new Map<string, apigw.IResource>([['/', this.restApi.root]]);
    const resourceFor = (path: string): apigw.IResource => {
      // Register every prefix too, so intermediate resources (`/v1`, `/v1/audio`) get the router's ANY.
      const segments = path.split('/').filter(Boolean);
      let resource: apigw.IResource = this.restApi.root;
      segments.forEach((_, i) => {
        const prefix = `/${segments.slice(0, i + 1).join('/')}`;
        resource = resources.get(prefix) ?? resource.addResource(segments[i]!);
        resources.set(prefix, resource);
      });
      return resource;
    };

    for (const route of ROUTES) resourceFor(route.path).addMethod(route.method, integrations[route.family]);
    resourceFor(FALLBACK_PATH);
    for (const resource of resources.values()) resource.addMethod('ANY', integrations.router);
    this.resources = resources;

    NagSuppressions.addResourceSuppressions(
      this.restApi,
      [
        {
          id: 'AwsSolutions-APIG2',
          reason: 'Handlers validate every request and answer in the OpenAI error shape with stable codes; a gateway validator would answer in another shape.',
        },
        {
          id: 'AwsSolutions-APIG4',
          reason: 'Authorization is per route in the handlers: Compose Key JWTs or x402 payment signatures, and public catalog/health routes. No IAM or Cognito caller exists.',
        },
        { id: 'AwsSolutions-COG4', reason: 'Callers are Compose Key holders or x402 payers, not Cognito users; see AwsSolutions-APIG4.' },
        ...(props.waf
          ? []
          : [
              {
                id: 'AwsSolutions-APIG3',
                reason: 'This stage runs without its optional WAF web ACL (stage config `waf`); abuse control is the stage throttle plus per-request payment or key budgets.',
              },
            ]),
      ],
      true,
    );
  }

  /**
   * One integration per family, shared by its methods. One API-wide invoke permission per function instead of
   * one per method keeps each function's resource policy far below Lambda's 20 KB limit (the router alone
   * sits behind every resource).
   */
  private integrationsFor(functions: Readonly<Record<Family, lambda.IFunction>>): Record<Family, apigw.LambdaIntegration> {
    const entries = (Object.keys(FAMILIES) as Family[]).map((family) => {
      const { streaming, timeoutSeconds } = FAMILIES[family];
      const integration = new apigw.LambdaIntegration(functions[family], {
        proxy: true,
        scopePermissionToMethod: false,
        responseTransferMode: streaming ? apigw.ResponseTransferMode.STREAM : apigw.ResponseTransferMode.BUFFERED,
        timeout: Duration.seconds(Math.min(timeoutSeconds, streaming ? MAX_STREAMED_SECONDS : MAX_BUFFERED_SECONDS)),
      });
      return [family, integration] as const;
    });
    return Object.fromEntries(entries) as Record<Family, apigw.LambdaIntegration>;
  }
}
