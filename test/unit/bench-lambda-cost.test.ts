import { describe, expect, it } from 'vitest';
import { AWS_PRICES, cheapestSize, estimateSize, MEMORY_SIZES_MB, scaledCpuMs, vcpuShare, type CallProfile } from '../../bench/lib/lambda-cost.ts';

const STREAM: CallProfile = { wallMs: 8_000, cpuMs: 0, writeUnits: 2, initCpuMs: 0, coldStartsPerCall: 0 };

describe('the Lambda cost model', () => {
  it('gives one vCPU at 1,769 MB and a share in proportion below it', () => {
    expect(vcpuShare(1769)).toBe(1);
    expect(vcpuShare(3538)).toBe(1);
    expect(vcpuShare(1769 / 2)).toBeCloseTo(0.5, 12);
    expect(() => vcpuShare(0)).toThrow(RangeError);
  });

  it('stretches CPU time by 1769 / memory below one vCPU, and not above it', () => {
    expect(scaledCpuMs(1, 128)).toBeCloseTo(1769 / 128, 9);
    expect(scaledCpuMs(2, 256)).toBeCloseTo((2 * 1769) / 256, 9);
    expect(scaledCpuMs(1, 4096)).toBe(1);
  });

  it('prices a million 8-second streams at 1,024 MB from the list prices (about $112 with two writes each)', () => {
    const { dollarsPerMillion } = estimateSize(STREAM, 1024);
    expect(dollarsPerMillion.lambdaDuration).toBeCloseTo(8 * 1e6 * AWS_PRICES.lambdaGbSecond, 6); // $106.67
    expect(dollarsPerMillion.lambdaRequests).toBeCloseTo(0.2, 9);
    expect(dollarsPerMillion.apiGateway).toBeCloseTo(3.5, 9);
    expect(dollarsPerMillion.dynamoWrites).toBeCloseTo(1.25, 9);
    expect(dollarsPerMillion.total).toBeCloseTo(106.6672 + 0.2 + 3.5 + 1.25, 4);
  });

  it('scales duration cost with memory: a quarter of the memory, a quarter of the duration cost', () => {
    const small = estimateSize(STREAM, 256).dollarsPerMillion;
    expect(small.lambdaDuration).toBeCloseTo(106.6672 / 4, 4);
    expect(small.total).toBeCloseTo(26.6668 + 0.2 + 3.5 + 1.25, 4);
  });

  it('bills the stretched CPU and the amortized init on top of the wall time', () => {
    const profile: CallProfile = { wallMs: 8_000, cpuMs: 1.5, writeUnits: 0, initCpuMs: 200, coldStartsPerCall: 0.01 };
    const at256 = estimateSize(profile, 256);
    expect(at256.addedLatencyMs).toBeCloseTo((1.5 * 1769) / 256, 9);
    expect(at256.initMs).toBeCloseTo((200 * 1769) / 256, 9);
    expect(at256.billedMsPerCall).toBeCloseTo(8_000 + (1.5 * 1769) / 256 + (0.01 * 200 * 1769) / 256, 9);
    expect(at256.dollarsPerMillion.lambdaDuration).toBeCloseTo(1e6 * 0.25 * (at256.billedMsPerCall / 1000) * AWS_PRICES.lambdaGbSecond, 9);
  });

  it('picks the cheapest size within the latency budget whose memory holds the peak RSS', () => {
    const estimates = MEMORY_SIZES_MB.map((mb) => estimateSize({ ...STREAM, cpuMs: 1 }, mb));
    // 1 ms of CPU: 13.8 ms at 128 MB (over a 10 ms budget), 6.9 ms at 256 MB.
    expect(cheapestSize(estimates, { latencyBudgetMs: 10, peakRssMB: 90 })?.memoryMB).toBe(256);
    // With 0.5 ms, 128 MB is within budget, but a 110 MB peak leaves it less than a fifth free.
    const lighter = MEMORY_SIZES_MB.map((mb) => estimateSize({ ...STREAM, cpuMs: 0.5 }, mb));
    expect(cheapestSize(lighter, { latencyBudgetMs: 10, peakRssMB: 90 })?.memoryMB).toBe(128);
    expect(cheapestSize(lighter, { latencyBudgetMs: 10, peakRssMB: 110 })?.memoryMB).toBe(256);
    expect(cheapestSize(lighter, { latencyBudgetMs: 10, peakRssMB: 110, headroom: 0 })?.memoryMB).toBe(128);
    // Nothing fits: no choice rather than a wrong one.
    expect(cheapestSize(estimates, { latencyBudgetMs: 0.5, peakRssMB: 90 })).toBeUndefined();
  });
});
