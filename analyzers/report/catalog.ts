/**
 * THE list of report items, in report order. Everything that enumerates items — the report
 * schema, the runner, the summary table, the site's sections and methods page, `index.json`,
 * `all.csv`, the archive-table columns — is derived from it. A new item is its spec file, one line
 * here, and its implementation (analyzers/items/registry.ts, which the compiler keeps complete).
 */
import type { z } from 'zod';
import type { Headline, Level } from './item-spec.ts';
import { massAnalysisSpec } from './items/level0/0a-mass-analysis.ts';
import { maskAnalysisSpec } from './items/level0/0b-mask-analysis.ts';
import { backgroundAnalysisSpec } from './items/level0/0c-background-analysis.ts';
import { bFactorAnalysisSpec } from './items/level0/0d-bfactor-analysis.ts';
import { localResolutionSpec } from './items/level0/0e-local-resolution.ts';
import { localBFactorSpec } from './items/level0/0f-local-bfactor.ts';
import { localOccupancySpec } from './items/level0/0g-local-occupancy.ts';
import { handSpec } from './items/level0/0h-hand.ts';
import { globalResolutionSpec } from './items/level1/1a-global-resolution.ts';
import { fdrFscSpec } from './items/level1/1b-fdr-fsc.ts';
import { localFscSpec } from './items/level1/1c-local-fsc.ts';
import { localResolutionHalvesSpec } from './items/level1/1e-local-resolution-halves.ts';
import { fsoSpec } from './items/level1/1g-fso.ts';
import { fsc3dSpec } from './items/level1/1h-fsc3d.ts';
import { mapModelFitSpec } from './items/levelA/Aa-map-model-fit.ts';
import { atomInclusionSpec } from './items/levelA/Ai-atom-inclusion.ts';
import { mapModelGuinierSpec } from './items/levelA/Ad-map-model-guinier.ts';
import { qScoreSpec } from './items/levelA/Ae-q-score.ts';
import { emringerSpec } from './items/levelA/Af-emringer.ts';
import { referencesFor } from './references.ts';

export const ITEM_SPECS = [
  massAnalysisSpec,
  maskAnalysisSpec,
  backgroundAnalysisSpec,
  bFactorAnalysisSpec,
  localResolutionSpec,
  localBFactorSpec,
  localOccupancySpec,
  handSpec,
  globalResolutionSpec,
  fdrFscSpec,
  localFscSpec,
  localResolutionHalvesSpec,
  fsoSpec,
  fsc3dSpec,
  mapModelFitSpec,
  mapModelGuinierSpec,
  qScoreSpec,
  emringerSpec,
  atomInclusionSpec,
] as const;

/** The spec of any item. */
export type AnyItemSpec = (typeof ITEM_SPECS)[number];
export type ItemId = AnyItemSpec['id'];
/** The spec of item `Id`. */
export type SpecOf<Id extends ItemId> = Extract<AnyItemSpec, { id: Id }>;
/** The typed values of a measured item `Id`. */
export type ItemValues<Id extends ItemId> = z.output<SpecOf<Id>['values']>;

export const ITEM_IDS: readonly ItemId[] = ITEM_SPECS.map((s) => s.id);

const byId = new Map<string, AnyItemSpec>(ITEM_SPECS.map((s) => [s.id, s]));

/** The spec of `id`. */
export function itemSpec<Id extends ItemId>(id: Id): SpecOf<Id> {
  return byId.get(id) as SpecOf<Id>;
}

/** True when `id` names an item of the catalog. */
export function isItemId(id: string): id is ItemId {
  return byId.has(id);
}

/** The specs of one level, in report order. */
export function specsOfLevel(level: Level): AnyItemSpec[] {
  return ITEM_SPECS.filter((s) => s.level === level);
}

/** Every headline value of the catalog, in item order, with its item. */
export const HEADLINES: readonly { item: ItemId; headline: Headline<Record<string, unknown>> }[] = ITEM_SPECS.flatMap((s) =>
  (s.headlines as readonly Headline<never>[]).map((h) => ({ item: s.id, headline: h as unknown as Headline<Record<string, unknown>> })),
);

/** Catalog invariants, checked once when the catalog loads: a broken spec fails every test at once. */
function checkCatalog(): void {
  const problems: string[] = [];
  if (byId.size !== ITEM_SPECS.length) problems.push('two items share an id');
  for (const s of ITEM_SPECS) {
    if (!s.id.startsWith(`${s.level}.`)) problems.push(`${s.id}: its id does not start with its level "${s.level}."`);
    if (!s.inputs.includes('map')) problems.push(`${s.id}: every item needs the map`);
    const codes = s.warnings.map((w) => w.code);
    if (new Set(codes).size !== codes.length) problems.push(`${s.id}: a warning code is listed twice`);
    const stem = s.id.replace('.', '');
    for (const c of codes) if (!c.startsWith(`${stem}.`)) problems.push(`${s.id}: warning code ${c} does not start with "${stem}."`);
    try {
      referencesFor(s.references);
    } catch (err) {
      problems.push(`${s.id}: ${(err as Error).message}`);
    }
  }
  const columns = HEADLINES.map((h) => h.headline.column);
  if (new Set(columns).size !== columns.length) problems.push('two headline values share a column name');
  if (problems.length > 0) throw new Error(`the item catalog is inconsistent:\n${problems.join('\n')}`);
}
checkCatalog();
