/**
 * The generated file's format. It stores only facts (drafts with bare price tables); everything derivable
 * (params, summaries, unit labels, availability) is rebuilt by `hydrateCatalog` with the same code the build
 * validated with. That keeps the file — which is bundled into every Lambda that reads the catalog — small.
 */
import { pricingUnit } from './pricing-units.ts';
import { toRecord, withAvailability, type RecordDraft } from './record.ts';
import type { CatalogRecord, OperationCapability, PricingUnit } from './types.ts';

export interface StoredPricingUnit {
  readonly unitKey: PricingUnit['unitKey'];
  readonly entries: PricingUnit['entries'];
  readonly default?: true;
}

export interface StoredOperation extends Omit<OperationCapability, 'pricingUnits'> {
  readonly pricingUnits: readonly StoredPricingUnit[];
}

export interface StoredModel extends Omit<RecordDraft, 'operations'> {
  readonly operations: readonly StoredOperation[];
}

export interface CatalogFile {
  readonly formatVersion: 2;
  /** Content hash; cursors are bound to it, so a redeploy with new data invalidates old cursors. */
  readonly version: string;
  readonly sources: Readonly<Record<string, string>>;
  readonly models: readonly StoredModel[];
}

export const storeDraft = (draft: RecordDraft): StoredModel => ({
  ...draft,
  operations: draft.operations.map((operation) => ({
    ...operation,
    pricingUnits: operation.pricingUnits.map((unit) => ({ unitKey: unit.unitKey, entries: unit.entries, ...(unit.default ? { default: true as const } : {}) })),
  })),
});

const loadDraft = (stored: StoredModel): RecordDraft => ({
  ...stored,
  operations: stored.operations.map((operation) => ({
    ...operation,
    pricingUnits: operation.pricingUnits.map((unit) => pricingUnit(unit.unitKey, unit.entries, unit.default === true)),
  })),
});

/** The served rows, in file order. */
export const hydrateCatalog = (file: CatalogFile): CatalogRecord[] => withAvailability(file.models.map((stored) => toRecord(loadDraft(stored))));
