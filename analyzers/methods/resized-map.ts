/**
 * The inputs of 0.f and 0.g (level0-spec.md 2.4 and 2.6): the map resized to Ts' = res/2, its hard
 * mask at the same threshold (dilation ceil(2/Ts')) and one spiral-amplitude spectrum shared by
 * both items.
 *
 * Their colour views are drawn on the surface of the ORIGINAL map (the property is sampled at each
 * vertex's position), not on resized × resized soft mask as VRS does: the resize's sharp low-pass
 * rings around strong density, and at the low thresholds EMDB recommends those ripples cross the
 * contour as dozens of detached shards (113 components on the well-behaved phantom against 1 in the
 * original map) that hide the molecule. The original surface also matches the other figures.
 */
import { createSpiralAmplitude, type SpiralAmplitude } from './spiral-amplitude.ts';
import { resizeToResolution } from './resize.ts';
import type { Volume } from '../volume/volume.ts';
import { NotApplicable, NotMeasurable } from '../util/errors.ts';
import { buildMasks } from './masks.ts';

/** Shell width of LocBFactor/LocOccupancy in Fourier voxels (ucm plugin default). */
export const SPIRAL_SHELL_WIDTH = 4.8;
/** Lowest resolution of both sweeps (Å); both start there, so its amplitude is computed once. */
export const SWEEP_LOW_RESOLUTION_A = 15;

export interface ResizedMap {
  readonly volume: Volume;
  readonly hard: Uint8Array;
  readonly hardCount: number;
  readonly amplitude: SpiralAmplitude;
}

/**
 * Resizes `v` to res/2 and builds what 0.f and 0.g share. Throws NotApplicable without a
 * resolution and NotMeasurable when the threshold selects nothing on the resized map (fine
 * features can vanish when a high-resolution map is resampled coarsely).
 */
export async function prepareResizedMap(v: Volume, threshold: number, resolution: number | null): Promise<ResizedMap> {
  if (!resolution) throw new NotApplicable('no resolution reported');
  const { volume } = await resizeToResolution(v, resolution);
  const masks = buildMasks(volume, threshold, resolution);
  if (masks.hardCount === 0) {
    throw new NotMeasurable(`no voxel of the map resized to ${resolution / 2} Å/voxel reaches the threshold ${threshold}`);
  }
  const amplitude = await createSpiralAmplitude(volume, SPIRAL_SHELL_WIDTH, [1 / SWEEP_LOW_RESOLUTION_A, 1 / resolution]);
  return { volume, hard: masks.hard, hardCount: masks.hardCount, amplitude };
}
