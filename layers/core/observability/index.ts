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
 * One single-metric instance for the process: `singleMetric()` builds a new Metrics (its stores, its config
 * service, its own Console) each time, which cost more CPU per call than the whole key check. Reusing one is safe:
 * addDimension and addMetric run synchronously back to back, and addMetric publishes and clears the dimensions.
 */
let single: Metrics | undefined;

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * One metric, written at once as its own EMF line with only its own dimension: events that are rare on the hot
 * path (provider errors, settlements, stale holds) and metrics written outside a call (workers, scheduled checks).
 */
export const emit = (name: string, value: number, unit: Unit = MetricUnit.Count, dimensions: Readonly<Record<string, string>> = {}): void => {
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

/** A metric of a call, held until the call ends; `dimension` is the one it is broken down by, if any. */
interface CallMetric {
  readonly name: string;
  readonly unit: Unit;
  readonly value: number;
  readonly dimension?: readonly [key: string, value: string];
}

/**
 * The calls this process is serving (one at a time in Lambda; several in the local runtime) and the metrics of the
 * one call in flight. Every EMF line is a pipe write and a pass through Powertools' stores: a call's metrics go out
 * together, as one line, when it ends (docs/decisions.md, "One EMF line per call"). A line only ever holds one
 * call's metrics, since each is counted under every dimension of the line: while calls overlap, each metric is
 * written at once with its own dimension.
 */
let callsOpen = 0;
let held: CallMetric[] = [];
/** Lines stay well below Powertools' 100 values per metric, past which it would publish (and drop our dimensions) mid-line. */
const MAX_HELD = 30;

/**
 * Writes held call metrics through the process's Metrics instance, as few lines as their dimensions allow. A line
 * declares the dimension sets {service, stage} and one per dimension its metrics carry ({family}, {model}), and
 * every metric of the line is aggregated under each: Calls stays countable by family, SpendUsd by model and
 * FirstByteLatency over the stage, as the dashboard reads them, and each also by the others. A second value of a
 * dimension (a second model in one call) starts a new line, so no metric is counted under a value that is not
 * its own.
 */
const writeCallLines = (batch: readonly CallMetric[]): void => {
  let dimensions = new Map<string, string>();
  let open = false;
  const publish = () => {
    if (open) metrics.publishStoredMetrics();
    dimensions = new Map();
    open = false;
  };
  try {
    for (const { name, unit, value, dimension } of batch) {
      if (dimension && dimensions.has(dimension[0]) && dimensions.get(dimension[0]) !== dimension[1]) publish();
      if (!open) {
        metrics.addDimensions({});
        open = true;
      }
      if (dimension && !dimensions.has(dimension[0])) {
        dimensions.set(dimension[0], dimension[1]);
        metrics.addDimensions({ [dimension[0]]: dimension[1] });
      }
      metrics.addMetric(name, unit, value);
    }
    publish();
  } catch (error) {
    // As in emit: never fail the call, never leave a half line for the next one.
    metrics.clearMetrics();
    metrics.clearDimensions();
    logger.warn('call metrics not written', { metrics: batch.map((m) => m.name), error });
  }
};

const writeHeld = (): void => {
  if (held.length === 0) return;
  const batch = held;
  held = [];
  writeCallLines(batch);
};

/**
 * Holds a metric for its call's line; outside a call (a worker, a test) or while calls overlap, where it cannot
 * tell whose it is, it is written at once, as `emit` would.
 */
const record = (metric: CallMetric): void => {
  if (metricsDisabled) return;
  if (callsOpen !== 1) {
    emit(metric.name, metric.value, metric.unit, metric.dimension ? { [metric.dimension[0]]: metric.dimension[1] } : {});
    return;
  }
  held.push(metric);
  if (held.length >= MAX_HELD) writeHeld();
};

/**
 * The middy lifecycle hooks (pass them to `middy(handler, { ...callMetrics })`) that bracket one call, from its
 * event to the last byte of its answer (a stream's end, after the handler has returned and the payment has
 * settled): the metrics recorded in between are written when it ends. Should a call never end (its invocation
 * failed outside the middleware), what it held goes out with the next call's line.
 */
export const callMetrics = {
  requestStart: (): void => {
    // What the call in flight holds is its own: it goes out before another call's metrics could join it.
    if (callsOpen > 0) writeHeld();
    callsOpen += 1;
  },
  requestEnd: (): void => {
    callsOpen = Math.max(0, callsOpen - 1);
    writeHeld();
  },
};

/** One per dispatched request; the function (`service`) is the route family. */
export const countCall = (family: string): void => record({ name: METRIC.calls, unit: MetricUnit.Count, value: 1, dimension: ['family', family] });
/** From the provider call's start until it answered (the stream opened): the gateway's share is measured by `npm run bench`. */
export const recordFirstByte = (ms: number): void => record({ name: METRIC.firstByteLatency, unit: MetricUnit.Milliseconds, value: ms });
export const countProviderError = (code: string): void => emit(METRIC.providerErrors, 1, MetricUnit.Count, { code });
export const countSettlement = (outcome: string): void => emit(METRIC.settlements, 1, MetricUnit.Count, { outcome });
export const countStaleHoldRelease = (count = 1): void => emit(METRIC.staleHoldReleases, count, MetricUnit.Count);
export const recordSpend = (model: string, usd: number): void => record({ name: METRIC.spend, unit: MetricUnit.NoUnit, value: usd, dimension: ['model', model] });

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

/** Powertools re-draws its debug sampling per invocation: only worth doing when a sample rate is configured. */
const debugSampling = Boolean(process.env.POWERTOOLS_LOGGER_SAMPLE_RATE);

/**
 * The middy middleware every handler uses: the Logger with the Lambda context (request id, function, cold
 * start) and, on HTTP events, the API Gateway request id and the caller kind.
 *
 * What Powertools' injectLambdaContext does per invocation, without what this project does not use (a log buffer
 * to clear, a sampling decision to redraw without a sample rate, a cleanup hook on the request): its store
 * writes read the environment each time, for a sizeable share of a call's CPU. The previous call's keys are
 * reset when the next one starts rather than when the handler returns, so a streamed answer's lines (settlement
 * at the end of the stream) still carry the request's keys.
 */
export const observe = <TEvent, TResult>(): MiddlewareObj<TEvent, TResult> => ({
  before: (request) => {
    logger.resetKeys();
    if (debugSampling) logger.refreshSampleRateCalculation();
    logger.addContext(request.context as import('aws-lambda').Context);
    logger.logEventIfEnabled(request.event);
    const event = request.event as { requestContext?: { requestId?: string }; headers?: Record<string, string | undefined> | null };
    if (event?.requestContext?.requestId) {
      logger.appendKeys({ apiRequestId: event.requestContext.requestId, callerKind: callerKindOf(lowerCased(event.headers)) });
    }
  },
});

/** Only the headers callerKindOf reads, by their lower-case names (API Gateway keeps the client's spelling). */
const lowerCased = (headers: Record<string, string | undefined> | null | undefined): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'payment-signature' || lower === 'x-payment') out[lower] = headers[name];
  }
  return out;
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
