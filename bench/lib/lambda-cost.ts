/**
 * What a Lambda memory size buys and costs, from figures the bench measures (issue 15, item 6). Pure functions,
 * so the model is unit-tested with fixed inputs (test/unit/bench-lambda-cost.test.ts) and the bench only feeds it.
 *
 * - CPU: Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB. CPU-bound work that
 *   takes `cpuMs` on one core of this machine takes `cpuMs × 1769 / memoryMB` below that size (never less than
 *   `cpuMs` above it). That stretched CPU is the modeled added latency of a call.
 * - Price: Lambda bills memory × billed duration plus a per-request fee; a streamed call is billed for as long as
 *   it streams, so the wall time of the call dominates, and the stretched CPU and the amortized init add to it.
 *   API Gateway REST and DynamoDB on-demand writes are per request / per write unit.
 */

/** AWS list prices (us-east-1), in dollars. */
export interface Prices {
  /** Lambda arm64 duration, per GB-second. */
  readonly lambdaGbSecond: number;
  /** Lambda requests, per request. */
  readonly lambdaRequest: number;
  /** API Gateway REST API, per request. */
  readonly apiGatewayRequest: number;
  /** DynamoDB on-demand, per write request unit (an item write up to 1 KB). */
  readonly dynamoWriteUnit: number;
}

export const AWS_PRICES: Prices = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  apiGatewayRequest: 3.5 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
};

/** Memory at which a Lambda function gets one full vCPU. */
export const ONE_VCPU_MB = 1769;

/** The memory sizes the cost table compares. */
export const MEMORY_SIZES_MB = [128, 256, 512, 1024] as const;

/** The fraction of a vCPU a function of `memoryMB` gets (1 at and above 1,769 MB). */
export const vcpuShare = (memoryMB: number): number => {
  if (!(memoryMB > 0)) throw new RangeError(`memory must be positive, got ${memoryMB}`);
  return Math.min(1, memoryMB / ONE_VCPU_MB);
};

/** `cpuMs` measured on one core, as wall time at `memoryMB`. */
export const scaledCpuMs = (cpuMs: number, memoryMB: number): number => cpuMs / vcpuShare(memoryMB);

/** What one kind of call costs the function, as measured. */
export interface CallProfile {
  /** Wall time of the call (e.g. an 8-second stream), billed in full. */
  readonly wallMs: number;
  /** Process CPU per call on one core (this machine's), all of it counted as on the critical path. */
  readonly cpuMs: number;
  /** DynamoDB write units per call (counted at the bench's DynamoDB proxy). */
  readonly writeUnits: number;
  /** Process CPU of module init on one core. */
  readonly initCpuMs: number;
  /** Cold starts per call (e.g. 0.001: one instance start per thousand calls). */
  readonly coldStartsPerCall: number;
}

export interface SizeEstimate {
  readonly memoryMB: number;
  /** The call's CPU, stretched to this size: what the function adds to the call's latency. */
  readonly addedLatencyMs: number;
  /** Module init, stretched to this size. */
  readonly initMs: number;
  /** Billed duration per call: wall time + stretched CPU + amortized init. */
  readonly billedMsPerCall: number;
  readonly dollarsPerMillion: {
    readonly lambdaDuration: number;
    readonly lambdaRequests: number;
    readonly apiGateway: number;
    readonly dynamoWrites: number;
    readonly total: number;
  };
}

export const estimateSize = (profile: CallProfile, memoryMB: number, prices: Prices = AWS_PRICES): SizeEstimate => {
  const addedLatencyMs = scaledCpuMs(profile.cpuMs, memoryMB);
  const initMs = scaledCpuMs(profile.initCpuMs, memoryMB);
  const billedMsPerCall = profile.wallMs + addedLatencyMs + profile.coldStartsPerCall * initMs;
  const million = 1e6;
  const lambdaDuration = million * (memoryMB / 1024) * (billedMsPerCall / 1000) * prices.lambdaGbSecond;
  const lambdaRequests = million * prices.lambdaRequest;
  const apiGateway = million * prices.apiGatewayRequest;
  const dynamoWrites = million * profile.writeUnits * prices.dynamoWriteUnit;
  return {
    memoryMB,
    addedLatencyMs,
    initMs,
    billedMsPerCall,
    dollarsPerMillion: { lambdaDuration, lambdaRequests, apiGateway, dynamoWrites, total: lambdaDuration + lambdaRequests + apiGateway + dynamoWrites },
  };
};

export interface SizeChoice {
  readonly memoryMB: number;
  readonly estimate: SizeEstimate;
}

/**
 * The cheapest size whose modeled added latency is at most `latencyBudgetMs` and whose memory holds the
 * function's measured peak RSS with `headroom` to spare (a fraction: 0.2 keeps a fifth of the memory free);
 * undefined when none does.
 */
export const cheapestSize = (
  estimates: readonly SizeEstimate[],
  options: { readonly latencyBudgetMs: number; readonly peakRssMB: number; readonly headroom?: number },
): SizeChoice | undefined => {
  const headroom = options.headroom ?? 0.2;
  const fits = estimates.filter((e) => e.addedLatencyMs <= options.latencyBudgetMs && options.peakRssMB <= e.memoryMB * (1 - headroom));
  const best = [...fits].sort((a, b) => a.dollarsPerMillion.total - b.dollarsPerMillion.total || a.memoryMB - b.memoryMB)[0];
  return best ? { memoryMB: best.memoryMB, estimate: best } : undefined;
};
