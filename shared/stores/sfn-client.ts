import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../../layers/core/observability/index.ts';

/** The Step Functions client, in a module of its own so a function that rarely reaches it (the videos routes: a cancel) imports it on first use. */
export const createSfnClient = (): SFNClient => traced(new SFNClient({}));
