"""Independent numpy conical (directional) FSC of two half maps on the full complex grid (numpy
fftn), from level1A-spec.md sections 1.g and 1.h, for cross-checking analyzers/methods/conical-fsc.ts
(and, as `conical_fsc`, the numpy side of the conical-FSC row of `npm run bench`).

usage: python3 conical_fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL MASK.f32 DIRS.f64 SHAPE ALPHA
  H*.f32, MASK.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
  DIRS.f64         : D unit directions, 3 little-endian float64 each (x, y, z)
  SHAPE            : 'hard' (weight 1 where |u.v| >= cos ALPHA) or 'fso'
                     (weight exp(-4 ((1 - |u.v|)/(1 - cos ALPHA))^2) where |u.v| >= cos ALPHA)
  ALPHA            : cone half-angle, degrees
prints JSON {shell, frequency, fsc: D rows of shells 1 .. NX//2 (null where a cone is empty),
globalFsc, globalVoxels}.

Definitions: both halves times the mask, F = fftn in float64 over the whole grid; digital
frequency w per axis (numpy fftfreq), r = |w|; coefficients with r <= 1/2 and shell
k = round(r NX) (half up) in 1 .. NX//2; v = w/r; per direction u and shell k the weighted sums of
Re(F1 conj F2), |F1|^2, |F2|^2 over the shell. Written as a numpy user would: the coefficients
sorted by shell once, then per shell (in row blocks) the weights of all directions as one matrix
|V U^T| and the sums as matrix products; `conical_fsc` runs several cone sets on one transform.
"""
import json
import math
import sys

import numpy as np

BLOCK = 16384  # coefficients per block: a block's weight matrix is BLOCK x D doubles


def shell_data(h1, h2, mask):
    """Per coefficient with 1 <= k <= NX//2, sorted by shell: shell, unit direction, and the three products."""
    nz, ny, nx = h1.shape
    wz = np.fft.fftfreq(nz)[:, None, None]
    wy = np.fft.fftfreq(ny)[None, :, None]
    wx = np.fft.fftfreq(nx)[None, None, :]
    r = np.sqrt(wx ** 2 + wy ** 2 + wz ** 2)
    k = np.floor(r * nx + 0.5).astype(np.int64)
    keep = (r <= 0.5) & (k >= 1) & (k <= nx // 2)
    order = np.argsort(k[keep], kind='stable')
    kk = k[keep][order]
    rr = r[keep][order]
    del k, r
    v = np.stack([np.broadcast_to(w, keep.shape)[keep][order] / rr for w in (wx, wy, wz)], axis=1)
    a = np.fft.fftn(h1 * mask)[keep][order]
    b = np.fft.fftn(h2 * mask)[keep][order]
    prod = np.stack([(a * np.conj(b)).real, np.abs(a) ** 2, np.abs(b) ** 2], axis=1)
    return kk, v, prod


def weights(c, shape, cos_alpha):
    """Cone weight of |u.v| = c."""
    inside = c >= cos_alpha
    if shape == 'hard':
        return inside.astype(np.float64)
    t = (1.0 - c) / (1.0 - cos_alpha)
    return np.where(inside, np.exp(-4.0 * t * t), 0.0)


def cone_sums(kk, v, prod, shells, dirs, shape, alpha_deg):
    """Weighted sums [shell][direction][3] of the three products, shells 0 .. shells."""
    cos_alpha = math.cos(math.radians(alpha_deg))
    u = dirs / np.linalg.norm(dirs, axis=1)[:, None]
    sums = np.zeros((shells + 1, len(u), 3))
    bounds = np.searchsorted(kk, np.arange(shells + 2))
    for s in range(1, shells + 1):
        for lo in range(bounds[s], bounds[s + 1], BLOCK):
            hi = min(lo + BLOCK, bounds[s + 1])
            w = weights(np.abs(v[lo:hi] @ u.T), shape, cos_alpha)
            sums[s] += w.T @ prod[lo:hi]
    return sums


def directional_fsc(sums):
    """FSC [direction][shell 1 ..], NaN where a cone is empty."""
    with np.errstate(invalid='ignore', divide='ignore'):
        return (sums[1:, :, 0] / np.sqrt(sums[1:, :, 1] * sums[1:, :, 2])).T


def conical_fsc(h1, h2, mask, ts, cones):
    """Directional FSC of the masked halves for each (directions, shape, alpha) of `cones`, and the global FSC."""
    nz, ny, nx = h1.shape
    shells = nx // 2
    kk, v, prod = shell_data(h1.astype(np.float64), h2.astype(np.float64), mask.astype(np.float64))
    g = np.stack([np.bincount(kk, weights=prod[:, j], minlength=shells + 1) for j in range(3)], axis=1)
    s = np.arange(1, shells + 1)
    return {
        'shell': s.tolist(),
        'frequency': (s / (nx * ts)).tolist(),
        'fsc': [directional_fsc(cone_sums(kk, v, prod, shells, *cone)) for cone in cones],
        'globalFsc': (g[1:, 0] / np.sqrt(g[1:, 1] * g[1:, 2])).tolist(),
        'globalVoxels': np.bincount(kk, minlength=shells + 1)[1:].tolist(),
    }


def main():
    h1p, h2p, nx, ny, nz, ts, maskp, dirsp, shape, alpha = sys.argv[1:11]
    nx, ny, nz, ts, alpha = int(nx), int(ny), int(nz), float(ts), float(alpha)
    h1 = np.fromfile(h1p, dtype='<f4').reshape(nz, ny, nx)
    h2 = np.fromfile(h2p, dtype='<f4').reshape(nz, ny, nx)
    mask = np.fromfile(maskp, dtype='<f4').reshape(nz, ny, nx)
    dirs = np.fromfile(dirsp, dtype='<f8').reshape(-1, 3)
    out = conical_fsc(h1, h2, mask, ts, [(dirs, shape, alpha)])
    out['fsc'] = [[None if not np.isfinite(x) else float(x) for x in row] for row in out['fsc'][0]]
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
