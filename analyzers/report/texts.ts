/**
 * The words of the report: item titles, explanations, automatic criteria, abstract sentences.
 * Carried into report.json so that a report always holds the texts of the analyzer that wrote it.
 */
import type { ItemId } from './schema.ts';

export const ITEM_TITLES: Record<ItemId, string> = {
  '0.a': '0.a Mass analysis',
  '0.b': '0.b Mask analysis',
  '0.c': '0.c Background analysis',
  '0.d': '0.d B-factor analysis',
  '0.e': '0.e Local resolution (MonoRes, single map)',
  '0.f': '0.f Local B-factor (LocBfactor)',
  '0.g': '0.g Local occupancy (LocOccupancy)',
  '0.h': '0.h Hand (helix chirality)',
};

export const EXPLANATIONS: Record<ItemId, string> = {
  '0.a': 'The reconstructed map should be reasonably well centred in its box, with enough empty space on every side (at least about 20–30 Å, depending on the CTF) for the CTF to be corrected properly. The empty space is measured from the hard mask (the map thresholded at the recommended contour, largest connected piece, dilated by 2 Å); the centre of mass is that of the map inside the same mask.',
  '0.b': 'At the recommended threshold most of the mass should lie in a single connected piece. A few thousand tiny disconnected noise blobs are normal, but together they should hold little mass. The raw mask (plain thresholding) and the mask built for the analysis (thresholding, largest connected component, 2 Å dilation) should overlap well; the overlap is size(raw AND constructed)/size(raw), between 0 and 1.',
  '0.c': 'The background is the region outside the hard mask. Its mean should be zero, and very few voxels should lie beyond 5 standard deviations of the noise; those that do should be scattered without structure (symmetric structures may show some).',
  '0.d': 'The Guinier plot shows the logarithm of the radially averaged Fourier amplitude against 1/d². Fitted between 15 Å and the reported resolution, its slope a gives the B-factor B = 4a, which describes how fast the amplitudes fall with resolution. Deposited maps usually have a B-factor between −300 and 0 Å²; a positive value means the map was over-sharpened. The map corrected with this B-factor is also shown.',
  '0.e': 'Local resolution measured from the map alone with MonoRes (monogenic signal amplitude compared with the noise outside the mask), the classical replacement of the DeepRes neural network used by VRS.',
  '0.f': 'LocBfactor estimates a local B-factor per voxel from the fall-off of the local amplitude (spiral/Riesz transform) between 15 Å and the reported resolution.',
  '0.g': 'LocOccupancy estimates per voxel the fraction of frequency bands in which the local amplitude reaches the level typical of the macromolecule.',
  '0.h': 'α-helices are right-handed; in a mirrored map they turn left. The hand test finds helices in the map and measures the chirality of each (a classical replacement of the DeepHand neural network used by VRS). Score 0 means the correct hand, 1 a mirrored map.',
};

export const CRITERIA: Record<ItemId, string> = {
  '0.a': 'OK if, along every axis, 1) the decentring |high − low| / box size is at most 20%, 2) the empty space on each side is at least 20 Å, and 3) the centre of mass is at most 20% of the box away from the box centre. For local reconstructions and focused refinements warnings are expected.',
  '0.b': 'OK if 1) at most 5 connected components hold 95% of the mass at the threshold, 2) the blobs outside those components are on average at most 5 Å³, and 3) the overlap between the raw and the constructed mask is at least 0.75.',
  '0.c': 'OK if 1) the p-value of the t-test of a zero background mean is at least 0.001, and 2) the background has at most 20 times as many voxels beyond ±5σ as a Gaussian of the same σ.',
  '0.d': 'OK if the B-factor is in [−300, 0] Å².',
  '0.e': 'OK if the local resolutions are not all equal (|p97.5 − p2.5| ≥ 0.01 Å) and the reported resolution is not better than 99.9% of them.',
  '0.f': 'OK if the local B-factors are not all equal and their median is in [−300, 0] Å².',
  '0.g': 'OK if the local occupancies are not all equal and their median is at least 0.5.',
  '0.h': 'OK if the hand score is at most 0.4 (above 0.5: the map seems mirrored; between 0.4 and 0.5: uncertain).',
};

/** Abstract sentence of an item, or null when that item contributes none in this state. */
export function summarySentence(id: ItemId, status: 'ok' | 'warnings' | 'not-applicable' | 'failed'): string | null {
  if (status === 'ok') {
    if (id === '0.a') return 'The map seems to be well centred.';
    if (id === '0.b') return 'There is no problem with the suggested threshold.';
    if (id === '0.c') return 'The background of the map seems to be correct.';
    return null;
  }
  if (status !== 'warnings') return null;
  const problem: Partial<Record<ItemId, string>> = {
    '0.a': 'its centring or the empty space around it',
    '0.b': 'the suggested threshold',
    '0.c': "the map's background",
    '0.d': 'its B-factor',
    '0.e': 'its local resolution',
    '0.f': 'its local B-factor',
    '0.g': 'its local occupancy',
    '0.h': 'the map hand',
  };
  return `There seems to be a problem with ${problem[id]} (see ${id}).`;
}
