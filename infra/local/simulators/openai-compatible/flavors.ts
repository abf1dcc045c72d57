/** The simulator's provider flavors by name. */
import { azure } from './flavor-azure.ts';
import { cloudflare } from './flavor-cloudflare.ts';
import { asicloud, openai } from './flavor-openai.ts';
import { aiml, alibaba, fireworks, huggingface } from './flavor-others.ts';
import type { Flavor, FlavorName } from './flavor.ts';

export type { Flavor, FlavorName, Route } from './flavor.ts';
export { FLAVORS } from './flavor.ts';

export const FLAVOR_TABLE: Readonly<Record<FlavorName, Flavor>> = { openai, azure, fireworks, aiml, huggingface, alibaba, cloudflare, asicloud };
