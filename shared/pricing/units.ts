/** Finding the pricing unit and the entry that prices a call, with the same rules before and after it. */
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { exactDecimal, multiply, ratio, type Rational } from './decimal.ts';
import type { PricingUnit } from './types.ts';

export const PRICING_ERROR_CODES = {
  /** The model has no pricing unit (or no required entry) for what the call consumes. */
  modelNotPriced: 'model_not_priced',
  /** The model is priced, but not for the requested option (size, quality, resolution). */
  unpricedOption: 'unpriced_option',
} as const;

/** The unit used when an operation has several: the one marked `default`, else the first. */
export const defaultPricingUnit = (units: readonly PricingUnit[]): PricingUnit | undefined => units.find((u) => u.default) ?? units[0];

export const selectUnit = (units: readonly PricingUnit[], unitKey: string): PricingUnit => {
  const matching = units.filter((u) => u.unitKey === unitKey);
  const unit = matching.find((u) => u.default) ?? matching[0];
  if (!unit) {
    throw new InvalidRequestError(PRICING_ERROR_CODES.modelNotPriced, `This model has no price per ${unitKey}, so it cannot be billed.`);
  }
  return unit;
};

const PER = { million: 1_000_000n, thousand: 1_000n } as const;

/** `usd_per_million_tokens` → 10⁶: catalog prices are per this many units. Absent `unit`: tokens and characters are per million. */
export const unitDivisor = (unit: PricingUnit): bigint => {
  const match = /^usd_per_(million|thousand)_/.exec(unit.unit ?? '');
  if (match) return PER[match[1] as keyof typeof PER];
  if (unit.unit === undefined && (unit.unitKey === 'tokens' || unit.unitKey === 'characters')) return PER.million;
  return 1n;
};

/** The exact USD price of ONE unit for an entry, or undefined when the entry does not exist. */
export const entryPrice = (unit: PricingUnit, entry: string): Rational | undefined => {
  const value = unit.entries[entry];
  if (value === undefined) return undefined;
  return multiply(exactDecimal(value, `price ${unit.unitKey}.${entry}`), ratio(1n, unitDivisor(unit)));
};

export const requiredEntryPrice = (unit: PricingUnit, entry: string): Rational => {
  const price = entryPrice(unit, entry);
  if (!price) throw new InvalidRequestError(PRICING_ERROR_CODES.modelNotPriced, `This model has no ${entry} price per ${unit.unitKey}, so it cannot be billed.`);
  return price;
};

const compare = (a: Rational, b: Rational): number => (a.n * b.d > b.n * a.d ? 1 : a.n * b.d < b.n * a.d ? -1 : 0);

export const maxPrice = (...prices: readonly (Rational | undefined)[]): Rational | undefined =>
  prices.reduce<Rational | undefined>((best, p) => (p && (!best || compare(p, best) > 0) ? p : best), undefined);

export interface PricedOption {
  readonly entry: string;
  readonly price: Rational;
}

/**
 * The entry for an option-keyed unit (images `<quality>:<size>`, video resolutions). Every non-`default`
 * entry compatible with what is known is a candidate and the dearest wins, so an unknown option is quoted and
 * metered at its worst case, never below; with no candidate the `default` entry applies.
 */
export const optionPrice = (unit: PricingUnit, compatible: (entry: string) => boolean, described: string, param: string): PricedOption => {
  const candidates = Object.keys(unit.entries).filter((e) => e !== 'default' && compatible(e));
  const entry = candidates.reduce<string | undefined>((best, e) => {
    if (best === undefined) return e;
    return compare(entryPrice(unit, e)!, entryPrice(unit, best)!) > 0 ? e : best;
  }, undefined) ?? ('default' in unit.entries ? 'default' : undefined);
  if (entry === undefined) {
    throw new InvalidRequestError(PRICING_ERROR_CODES.unpricedOption, `This model has no price for ${described}.`, { param });
  }
  return { entry, price: entryPrice(unit, entry)! };
};

/** Image entries are `<quality>:<size>`; an unspecified quality or size matches any. */
export const imagePrice = (unit: PricingUnit, quality: string | undefined, size: string | undefined): PricedOption =>
  optionPrice(
    unit,
    (entry) => {
      const [q, s] = entry.includes(':') ? entry.split(':') : [undefined, entry];
      return (quality === undefined || q === quality) && (size === undefined || s === size);
    },
    [quality && `quality ${quality}`, size && `size ${size}`].filter(Boolean).join(', ') || 'images',
    size !== undefined ? 'size' : 'quality',
  );

/** Video entries are keyed by resolution; an unspecified resolution matches any. */
export const videoPrice = (unit: PricingUnit, resolution: string | undefined): PricedOption =>
  optionPrice(unit, (entry) => resolution === undefined || entry === resolution, `resolution ${resolution ?? ''}`.trim(), 'resolution');
