/**
 * The per-entry context every item computes from: the inputs (the map, and the half maps and the
 * fitted model when the entry has them, with the entry metadata) and the products several items
 * share, each prepared lazily on first use and once only. Items never import each other: what
 * two items need in common is a product here.
 *
 * Products are released when no item still to run uses them (items declare `uses`; the runner
 * calls `keepOnly`), so the resized map of 0.f/0.g does not stay in memory through 0.h.
 */
import type { AtomModel } from '../io/model.ts';
import { buildMasks, softMask, type Level0Masks } from '../methods/masks.ts';
import { prepareResizedMap, type ResizedMap } from '../methods/resized-map.ts';
import { localResolution, type LocalResolutionOutput } from '../methods/monores.ts';
import { maskedSpectra, type HalfMapSpectra } from '../methods/fsc.ts';
import { halfMapMeanAndDifference } from '../methods/half-map-sum.ts';
import { fitModel, type ModelFit, type UnusableModel } from '../simulate/model-alignment.ts';
import { NotApplicable } from '../util/errors.ts';
import type { FigureWriter } from '../figures/report-figures.ts';
import type { ViewerVolumeWriter } from '../figures/viewer-volumes.ts';
import type { Entry } from '../report/schema.ts';
import type { Volume } from '../volume/volume.ts';

/** The shared products an item can ask for (and declare in `uses`). */
export type ProductName = 'softMask' | 'resizedMap' | 'halfMapLocalResolution' | 'maskedHalfMapSpectra' | 'modelFit';

/** Model-map resolution (Å) without a reported resolution: Phenix's floor of 3 Å. */
export const DEFAULT_MODEL_MAP_RESOLUTION_A = 3;

/** Resolution (Å) of the model map: the reported one, never finer than Nyquist (2 voxels). */
export function modelMapResolution(reported: number | null, voxelSize: number): number {
  return Math.max(reported ?? DEFAULT_MODEL_MAP_RESOLUTION_A, 2 * voxelSize);
}

/** What one entry's analysis starts from. */
export interface EntryInputs {
  /** The deposited (primary) map. */
  readonly map: Volume;
  /** The two half maps, on the map's grid. */
  readonly halfMaps?: readonly [Volume, Volume];
  /** The fitted atomic model. */
  readonly model?: AtomModel;
  /** The model's file name (named in every message about the model; no directory, so that published reports do not depend on where the cache is). */
  readonly modelFile?: string;
  /** Why the model file could not be read (the map is still analysed; Level A reports this). */
  readonly modelProblem?: string;
  /** Entry metadata: `threshold` and `resolution` drive the analysis. */
  readonly metadata: Entry;
}

export class EntryContext {
  readonly map: Volume;
  readonly halfMaps: readonly [Volume, Volume] | undefined;
  readonly model: AtomModel | undefined;
  readonly modelFile: string | undefined;
  readonly modelProblem: string | undefined;
  readonly metadata: Entry;
  /** Raw mask, its components, the structure's pieces and the hard mask at the recommended threshold (built up front: an empty hard mask refuses the entry). */
  readonly masks: Level0Masks;
  /** Writes the entry's figures (a no-op writer when figures are off). */
  readonly figures: FigureWriter;
  /** Writes the 3-D viewer's files (absent when figures are off). */
  readonly viewer: ViewerVolumeWriter | undefined;
  private readonly products = new Map<ProductName, Promise<unknown>>();

  constructor(inputs: EntryInputs, figures: FigureWriter, viewer?: ViewerVolumeWriter) {
    this.map = inputs.map;
    this.halfMaps = inputs.halfMaps;
    this.model = inputs.model;
    this.modelFile = inputs.modelFile;
    this.modelProblem = inputs.modelProblem;
    this.metadata = inputs.metadata;
    this.figures = figures;
    this.viewer = viewer;
    this.masks = buildMasks(inputs.map, inputs.metadata.threshold, inputs.metadata.resolution);
  }

  /** Recommended contour level. */
  get threshold(): number {
    return this.metadata.threshold;
  }

  /** Reported resolution, Å (null when not reported). */
  get resolution(): number | null {
    return this.metadata.resolution;
  }

  /** The hard mask smoothed (σ = 2 px), for the input figures and masked measures. */
  softMask(): Promise<Float32Array> {
    return this.product('softMask', () => softMask(this.masks.hard, this.map.dims));
  }

  /** The map resized to res/2 with its hard mask and spiral-amplitude spectrum (0.f, 0.g). */
  resizedMap(): Promise<ResizedMap> {
    return this.product('resizedMap', () => prepareResizedMap(this.map, this.threshold, this.resolution));
  }

  /**
   * MonoRes in half-map mode (level1A-spec.md §1.e): the local resolution of the half-map mean
   * inside the hard mask, with the noise from the half-map difference. Shared by 1.e and by 0.e,
   * which falls back on it when the map's background cannot model the noise (masked deposits).
   * Throws NotApplicable without half maps, and as `localResolution` does.
   */
  halfMapLocalResolution(): Promise<LocalResolutionOutput> {
    return this.product('halfMapLocalResolution', async () => {
      if (!this.halfMaps) throw new NotApplicable('the entry has no half maps');
      const [h1, h2] = this.halfMaps;
      const { mean, diff } = await halfMapMeanAndDifference(h1.data, h2.data);
      return localResolution({ ...h1, data: mean }, this.masks.hard, this.resolution, { noise: diff });
    });
  }

  /**
   * The spectra of the half maps times the soft mask, with the FSC shell of each coefficient: the
   * masked FSC of 1.a and the conical FSCs of 1.g and 1.h take the same two transforms. Read only.
   * Throws NotApplicable without half maps.
   */
  maskedHalfMapSpectra(): Promise<HalfMapSpectra> {
    return this.product('maskedHalfMapSpectra', async () => {
      if (!this.halfMaps) throw new NotApplicable('the entry has no half maps');
      const [h1, h2] = this.halfMaps;
      return maskedSpectra(h1, h2, await this.softMask());
    });
  }

  /**
   * The model checked at the door, its model map on the map's grid and the fit check with the
   * candidate-origin search (level1A-spec.md §A.0), shared by every Level A item. Resolves to an
   * `UnusableModel` (with the reason) for a model that cannot describe this map.
   */
  modelFit(): Promise<ModelFit | UnusableModel> {
    return this.product('modelFit', async () => {
      if (this.modelProblem !== undefined) return { usable: false, reason: this.modelProblem };
      if (!this.model) throw new NotApplicable('the entry has no fitted model');
      const fit = await fitModel(this.map, this.model, modelMapResolution(this.resolution, this.map.voxelSize[0]));
      return fit.usable || this.modelFile === undefined ? fit : { usable: false, reason: `${this.modelFile}: ${fit.reason}` };
    });
  }

  /**
   * The placed model for the Level A items after A.a: throws NotApplicable when the model is not
   * usable or not aligned with the map (VRS skips Level A then; the items are not counted).
   */
  async alignedModelFit(): Promise<ModelFit> {
    const fit = await this.modelFit();
    if (!fit.usable) throw new NotApplicable(`the model is not usable: ${fit.reason}`);
    if (fit.status === 'not-aligned') throw new NotApplicable(`the model is not aligned with the map (CC_mask ${fit.ccMaskOriginal?.toFixed(3) ?? 'undefined'}, no candidate origin restores a fit)`);
    return fit;
  }

  /** Drops every prepared product not named in `used`, so its memory can be collected; a later call prepares it again. */
  keepOnly(used: readonly ProductName[]): void {
    for (const name of this.products.keys()) if (!used.includes(name)) this.products.delete(name);
  }

  private product<T>(name: ProductName, make: () => Promise<T>): Promise<T> {
    let p = this.products.get(name) as Promise<T> | undefined;
    if (!p) {
      p = make();
      this.products.set(name, p);
    }
    return p;
  }
}
