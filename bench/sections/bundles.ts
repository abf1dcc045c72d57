import type { Section } from '../lib/section.ts';
export const bundlesSection: Section = { id: 'bundles', title: 'Function bundles', issue: 2, run: async () => ({ metrics: [] }) };
