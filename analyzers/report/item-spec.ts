/**
 * What defines a report item, apart from its computation: one `ItemSpec` per item, in
 * `report/items/<level>/<id>-<name>.ts`, listed once in `catalog.ts`. The report schema, the
 * summary sentences, the site's sections and methods page, `index.json`, `all.csv` and the
 * archive-table columns are all derived from these specs; the analyzer's implementation of the
 * item (`analyzers/items/…`) takes its texts and units from here.
 */
import type { z } from 'zod';
import type { Quantity } from './format-number.ts';

/** Levels are what the inputs allow: 0 the map alone, 1 two half maps, A a fitted model. */
export const LEVELS = ['0', '1', 'A'] as const;
export type Level = (typeof LEVELS)[number];

/** Inputs an item can require. */
export type InputKind = 'map' | 'halfMaps' | 'model';

/** A headline value: one number per entry that the archive table, `index.json` and `all.csv` carry. */
export interface Headline<V> {
  /** Column name in index.json / all.csv (camelCase, stable). */
  readonly column: string;
  /** Column header for readers, e.g. "0.a largest decentring". */
  readonly label: string;
  /** Unit, fixed so the column means the same thing in every row ('' for plain numbers). */
  readonly unit: string;
  /**
   * How its number reads where it is shown alone (the "at a glance" panel), as in the item's
   * result list; default: the quantity of its unit (Å: length, …), or a plain real.
   */
  readonly quantity?: Quantity;
  /** The number from the item's values (null when not finite or absent). */
  readonly pick: (values: V) => number | null;
  /**
   * Set on the values ranked among the archive's entries (the "at a glance" panel of each entry
   * page, the statistics page, the archive table's percentiles): which way is better (null: neither
   * way, the bar then reads lower → higher), and, for a resolution in Å, whether its ratio to the
   * reported resolution is ranked too.
   */
  readonly archive?: ArchiveRanking;
  /**
   * The entry's percentiles from the analysis itself (A.e's Q_relative against ~10,000 EMDB
   * entries), shown instead of the archive's own until that has `ownPopulationMin` entries with the value.
   */
  readonly ownPercentiles?: { readonly ownPopulationMin: number; readonly pick: (values: V) => ReportedPercentiles | null };
}

/** Which way a ranked value is better (null: neither; percentiles then count the lower values). */
export type Better = 'higher' | 'lower' | null;

/** How a headline value is ranked among the archive's entries. */
export interface ArchiveRanking {
  readonly better: Better;
  /** Also rank value / reported resolution (for a resolution in Å), with its own direction. */
  readonly ratioToReported?: { readonly better: Better };
}

/** Percentiles an item computed itself, with the populations they rest on in words. */
export interface ReportedPercentiles {
  readonly all: { readonly percentile: number; readonly population: string };
  readonly band: { readonly percentile: number; readonly population: string } | null;
}

/** A percentile of the entry among a population, drawn as a bar from 0 to 100 with a marker. */
export interface PercentileBar<V> {
  /** "Q_relative_all". */
  readonly label: string;
  /** The percentile (0–100) and what it rests on ("among 10,188 EMDB entries"); null when not measured. */
  readonly pick: (values: V) => { readonly percentile: number; readonly population: string } | null;
}

/**
 * One line of an item's curated result list: a number a biologist reads, with a human label and
 * the precision of its quantity (format-number.ts).
 */
export interface ResultRow<V> {
  /** "Raw mask volume": a reader's words, never a JSON key. */
  readonly label: string;
  readonly quantity: Quantity;
  /** Unit when the quantity's own does not say it ("voxels", "kDa", "σ"); '' for none. */
  readonly unit?: string;
  /** A number, numbers of one quantity (x, y, z), or a word; null or undefined leaves the row out. */
  readonly pick: (values: V) => number | readonly (number | null)[] | string | null | undefined;
}

/**
 * What the page and the PDF show of an item's values: the curated `results` (VRS style), and
 * `details`, diagnostics folded away on the page and left out of the PDF. Values in neither are in
 * report.json only.
 */
export interface ResultDisplay<V> {
  readonly results: readonly ResultRow<V>[];
  readonly details: readonly ResultRow<V>[];
}

/** A stable warning code and, for the methods page, when it is raised. */
export interface WarningSpec {
  readonly code: string;
  readonly when: string;
}

/** Everything about an item except how to compute it. `V` is the output type of `values`. */
export interface ItemSpec<Id extends string = string, S extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>, L extends Level = Level> {
  /** "0.a", "1.a", "A.e". */
  readonly id: Id;
  readonly level: L;
  /** Summary-table label, "0.a Mass analysis". */
  readonly title: string;
  /** Inputs the item needs; it is present in a report exactly when they are. */
  readonly inputs: readonly InputKind[];
  /** Typed values of a measured item (strict: the analyzer cannot write an undeclared key). */
  readonly values: S;
  /** Unit of each value that has one. */
  readonly units: Readonly<Record<string, string>>;
  /** What the item measures and how to read it. */
  readonly explanation: string;
  /** The automatic criteria, in words. */
  readonly criteria: string;
  /** Every warning the item can raise. */
  readonly warnings: readonly WarningSpec[];
  /** Abstract sentence when the item passes (null: none), and the problem named when it warns. */
  readonly summary: { readonly ok: string | null; readonly problem: string };
  /** Numbers for the archive table, index.json and all.csv. */
  readonly headlines: readonly Headline<z.output<S>>[];
  /** The curated result list and the folded details, typed against `values`. */
  readonly display: ResultDisplay<z.output<S>>;
  /**
   * Resolution estimates (Å) for the closing resolution paragraph, when the item gives any:
   * `method` names it, `measures` says in a phrase what the number is ("the median local
   * resolution inside the mask, …"), so the paragraph can give one sentence per estimate.
   */
  readonly resolutionEstimates?: readonly { readonly method: string; readonly measures?: string; readonly pick: (values: z.output<S>) => number | null }[];
  /** Percentile bars (0–100 with a marker at the value, wwPDB style) shown on the page and in the PDF. */
  readonly percentileBars?: readonly PercentileBar<z.output<S>>[];
  /** Keys of `REFERENCES` (references.ts) that support the item; the first is its main method, the one "how to cite" names. */
  readonly references: readonly string[];
}

/** Declares an item spec, keeping its literal id and its values' type. */
export function defineItem<const Id extends string, S extends z.ZodType<Record<string, unknown>>, const L extends Level>(spec: ItemSpec<Id, S, L>): ItemSpec<Id, S, L> {
  return spec;
}

/** A finite number or null. */
export function finite(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
