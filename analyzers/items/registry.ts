/**
 * The implementation of every item of the catalog (report/catalog.ts), by id. The compiler keeps
 * it complete: a spec added to the catalog without its implementation here does not type-check.
 * The runner takes the items in catalog order.
 */
import { ITEM_SPECS, type ItemId } from '../report/schema.ts';
import type { ItemImplementation } from './item.ts';
import { massAnalysisItem } from './level0/0a-mass-analysis.ts';
import { maskAnalysisItem } from './level0/0b-mask-analysis.ts';
import { backgroundAnalysisItem } from './level0/0c-background-analysis.ts';
import { bFactorAnalysisItem } from './level0/0d-bfactor-analysis.ts';
import { localResolutionItem } from './level0/0e-local-resolution.ts';
import { localBFactorItem } from './level0/0f-local-bfactor.ts';
import { localOccupancyItem } from './level0/0g-local-occupancy.ts';
import { handItem } from './level0/0h-hand.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own measurement type
type Implementations = { readonly [K in ItemId]: ItemImplementation<K, any> };

const IMPLEMENTATIONS = {
  '0.a': massAnalysisItem,
  '0.b': maskAnalysisItem,
  '0.c': backgroundAnalysisItem,
  '0.d': bFactorAnalysisItem,
  '0.e': localResolutionItem,
  '0.f': localBFactorItem,
  '0.g': localOccupancyItem,
  '0.h': handItem,
} satisfies Implementations;

/** Every implementation, in report order. */
export const ITEM_IMPLEMENTATIONS: readonly ItemImplementation[] = ITEM_SPECS.map((s) => (IMPLEMENTATIONS as Implementations)[s.id] as ItemImplementation);
