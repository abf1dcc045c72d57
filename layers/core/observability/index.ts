/**
 * Powertools for AWS Lambda, set up once per process: the Logger (JSON lines, request id, function name, cold
 * start), Metrics as EMF, and the Tracer (X-Ray, off when POWERTOOLS_TRACE_ENABLED=false or outside Lambda).
 * `observe()` is the middy middleware every handler uses; money code logs through `logFailure` so a failed
 * hold, release, settle or record write is always an error line with the request id and the payer.
 *
 * Outside Lambda (tests, the local runtime) nothing is printed below `warn` unless POWERTOOLS_LOG_LEVEL says
 * so, and metrics are not written unless POWERTOOLS_METRICS_DISABLED=false.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';
import { METRICS_NAMESPACE, METRIC } from './names.ts';

export { LOG_EVENT, METRIC, METRICS_NAMESPACE } from './names.ts';

const inLambda = process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'compose-inference';

export const logger = new Logger({
  serviceName,
  // Lambda's advanced logging controls (AWS_LAMBDA_LOG_LEVEL) win when set; elsewhere stay quiet by default.
  ...(inLambda || process.env.POWERTOOLS_LOG_LEVEL || process.env.AWS_LAMBDA_LOG_LEVEL ? {} : { logLevel: 'WARN' }),
});

const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED !== undefined ? process.env.POWERTOOLS_METRICS_DISABLED !== 'false' : !inLambda;

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
  // Stages share an account's namespace; the dashboard and alarms select theirs by this dimension.
  defaultDimensions: { stage: process.env.STAGE ?? 'local' },
});

/**
 * The Tracer loads the X-Ray SDK, a cold-start cost a stage with tracing off (or code outside Lambda) should not
 * pay: it is imported only when tracing is on.
 */
export const tracer: Tracer | undefined =
  inLambda && process.env.POWERTOOLS_TRACE_ENABLED !== 'false' ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName }) : undefined;

/** An AWS SDK v3 client, traced as a subsegment per call when tracing is on. */
export const traced = <T>(client: T): T => (tracer?.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client);

/** Runs `work` in its own X-Ray subsegment (a provider call), when tracing is on. */
export const withSubsegment = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  if (!tracer?.isTracingEnabled()) return work();
  const parent = tracer.getSegment();
  if (!parent) return work();
  const sub = parent.addNewSubsegment(name);
  tracer.setSegment(sub);
  try {
    return await work();
  } catch (error) {
    sub.addError(error as Error);
    throw error;
  } finally {
    sub.close();
    tracer.setSegment(parent);
  }
};

/**
 * One metric, written at once as its own EMF line. Money events happen after a stream's handler has returned
 * (settlement at the end of the stream), so nothing waits for a flush at the end of the invocation.
 */
/**
 * One single-metric instance for the process: `singleMetric()` builds a new Metrics (its stores, its config
 * service, its own Console) each time, which cost more CPU per call than the whole key check. Reusing one is safe:
 * addDimension and addMetric run synchronously back to back, and addMetric publishes and clears the dimensions.
 */
let single: Metrics | undefined;

export const emit = (name: string, value: number, unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count, dimensions: Readonly<Record<string, string>> = {}): void => {
  if (metricsDisabled) return;
  try {
    single ??= metrics.singleMetric();
    for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
    single.addMetric(name, unit, value);
  } catch (error) {
    // Telemetry must never fail a call; a broken metric is still worth a line. Its dimensions must not stay on
    // the shared instance for the next metric.
    single?.clearDimensions();
    logger.warn('metric not written', { metric: name, error });
  }
};

/** One per dispatched request; the function (`service`) is the route family. */
export const countCall = (family: string): void => emit(METRIC.calls, 1, MetricUnit.Count, { family });
/** From the provider call's start until it answered (the stream opened): the gateway's share is measured by `npm run bench`. */
export const recordFirstByte = (ms: number): void => emit(METRIC.firstByteLatency, ms, MetricUnit.Milliseconds);
export const countProviderError = (code: string): void => emit(METRIC.providerErrors, 1, MetricUnit.Count, { code });
export const countSettlement = (outcome: string): void => emit(METRIC.settlements, 1, MetricUnit.Count, { outcome });
export const countStaleHoldRelease = (count = 1): void => emit(METRIC.staleHoldReleases, count, MetricUnit.Count);
export const recordSpend = (model: string, usd: number): void => emit(METRIC.spend, usd, MetricUnit.NoUnit, { model });

/** Who a log line is about, on money paths: the request and the payer (an id, never a credential). */
export interface MoneyContext {
  readonly requestId: string;
  readonly payer?: string;
}

/**
 * A `.catch` handler for a step whose failure must not change the answer but must be seen: an error line with
 * the request id and the payer. It resolves to undefined, as the swallowing handler it replaces did.
 */
export const logFailure =
  (message: string, context: MoneyContext & Readonly<Record<string, unknown>>) =>
  (error: unknown): undefined => {
    logger.error(message, { ...context, error: describeError(error) });
    return undefined;
  };

/** A cause for a log line: name, message and code, never a request body or a credential. */
export const describeError = (error: unknown): Record<string, unknown> | string =>
  error instanceof Error
    ? { name: error.name, message: error.message, ...('code' in error && typeof error.code === 'string' ? { code: error.code } : {}) }
    : String(error);

/** How the caller of a request is identified, for log lines: the kind only, never the credential. */
export const callerKindOf = (headers: Readonly<Record<string, string | undefined>>): string => {
  if (headers['payment-signature'] || headers['x-payment']) return 'x402';
  const authorization = headers.authorization ?? '';
  if (/^bearer\s+compose-/i.test(authorization)) return 'compose-key';
  if (authorization) return 'bearer';
  return 'anonymous';
};

/**
 * The middy middleware every handler uses: the Logger with the Lambda context (request id, function, cold
 * start) and, on HTTP events, the API Gateway request id and the caller kind. Per-invocation keys are reset.
 */
export const observe = <TEvent, TResult>(): MiddlewareObj<TEvent, TResult> => {
  const inject = injectLambdaContext(logger, { resetKeys: true }) as unknown as MiddlewareObj<TEvent, TResult>;
  return {
    before: async (request) => {
      await inject.before?.(request);
      const event = request.event as { requestContext?: { requestId?: string }; headers?: Record<string, string | undefined> | null };
      if (event?.requestContext?.requestId) {
        const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        logger.appendKeys({ apiRequestId: event.requestContext.requestId, callerKind: callerKindOf(headers) });
      }
    },
    after: async (request) => {
      await inject.after?.(request);
    },
    onError: async (request) => {
      await inject.onError?.(request);
    },
  };
};

/** The same for a plain (non-middy) handler: SQS and Step Functions workers. */
export const withObservability = <TEvent, TResult>(handler: (event: TEvent, context?: import('aws-lambda').Context) => Promise<TResult>) =>
  async (event: TEvent, context?: import('aws-lambda').Context): Promise<TResult> => {
    // The local runtime's Step Functions stand-in invokes tasks without a Lambda context.
    if (context) logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      logger.resetKeys();
    }
  };

/**
 * For a promise whose rejection another path awaits and handles (a call started early and awaited later): only
 * keeps Node from reporting it as unhandled in the meantime. Not for errors nobody looks at.
 */
export const handledLater = (): undefined => undefined;

/** A `.catch` handler for best-effort cleanup (cancelling a body or an iterator): a debug line, nothing more. */
export const cleanupFailed =
  (what: string) =>
  (error: unknown): undefined => {
    logger.debug(`${what} failed`, { error: describeError(error) });
    return undefined;
  };
