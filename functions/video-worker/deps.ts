import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import type { ProviderId } from '../../layers/providers/types.ts';
import type { VideoJobStore } from '../../shared/videos/job-store.ts';
import type { Refunds } from '../../shared/videos/refund.ts';
import type { VideoWorkerSettings } from '../../shared/videos/settings.ts';
import type { VideoStorage } from '../../shared/videos/storage.ts';
import type { Workflow } from '../../shared/videos/workflow.ts';

/** What the worker needs from outside: the same stores and clients everywhere, a workflow, and provider adapters. */
export interface VideoWorkerDeps {
  readonly jobs: VideoJobStore;
  readonly refunds: Refunds;
  readonly storage: VideoStorage;
  readonly workflow: Workflow;
  readonly adapterFor: (provider: ProviderId) => MediaAdapter;
  /** Downloads the finished video (the provider's URL and headers); `fetch` unless a test or proxy says otherwise. */
  readonly download?: typeof globalThis.fetch;
  readonly settings: VideoWorkerSettings;
}
