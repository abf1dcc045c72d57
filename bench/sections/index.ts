/**
 * The sections of `npm run bench`, in the order they run. To add one (e.g. peak RSS during a 25 MB upload /
 * 50 MB download through the media routes, issue 6):
 * write `sections/<id>.ts` exporting a `Section`, reuse `ctx.services` for the loopback processes
 * (`gateway()` runs the local runtime in its own process, `tracedGateway()` one that logs its DynamoDB/S3/
 * provider calls; read a process's memory with `lib/proc.ts`), and list it
 * here. The report, .bench/results.json and docs/benchmarks.md pick it up without other changes.
 */
import type { Section } from '../lib/section.ts';
import { bundlesSection } from './bundles.ts';
import { catalogSection } from './catalog.ts';
import { gatewayGeminiSection } from './gateway-gemini.ts';
import { gatewaySection } from './gateway/index.ts';
import { hotKeySection } from './hot-key.ts';
import { lambdaCpuSection } from './lambda-cpu.ts';
import { mediaSection } from './media.ts';
import { paymentsSection } from './payments/index.ts';
import { soakSection } from './soak.ts';

export const SECTIONS: readonly Section[] = [gatewaySection, gatewayGeminiSection, catalogSection, bundlesSection, paymentsSection, lambdaCpuSection, mediaSection, soakSection, hotKeySection];
