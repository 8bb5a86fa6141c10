"""Independent numpy/scipy Q-score (level1A-spec.md section A.e; Pintilie et al., Nat Methods
17:328, 2020), written from the published pseudocode, for cross-checking
analyzers/methods/q-score.ts (and the numpy side of the Q-score row of `npm run bench`).

Pseudocode followed, per atom (all atoms given are scored and are the "other atoms"):
  reference Gaussian: m, s = mean, std of the whole map; high = min(m + 10 s, max),
  low = max(m - s, min); v(R) = (high - low) exp(-R^2 / 2 sigma^2) + low, sigma = 0.6 A.
  R = 0: the atom centre. R = 0.1 .. 2.0 A: n = 8, 10, 12, ... (50 tries) golden-spiral points on
  the sphere of radius R; a point survives when no other atom is nearer to it than this atom;
  the first try with >= 8 survivors is kept (else the last try's survivors).
  u = map at each point (trilinear; points outside the box dropped); Q = Pearson(u, v).
Neighbours: scipy.spatial.cKDTree; interpolation: scipy.ndimage.map_coordinates(order=1).

usage: python3 qscore_reference.py MAP.f32 NX NY NZ OX OY OZ VX VY VZ ATOMS.f64 [OUT.f64]
  MAP.f32  : NX*NY*NZ little-endian float32, x fastest (array [z][y][x]); voxel (i,j,k) sits at
             origin + (i,j,k)*voxel (Angstrom)
  ATOMS.f64: N*3 little-endian float64 x, y, z (Angstrom)
  OUT.f64  : optional, per-atom Q written as float64 (NaN when undefined)
prints JSON {atoms, averageQ, seconds}.
"""
import json
import sys
import time

import numpy as np
from scipy.ndimage import map_coordinates
from scipy.spatial import cKDTree

SIGMA = 0.6
RADII = [k / 10.0 for k in range(21)]
WANT = 8
TRIES = 50
STEP = 2


def golden_spiral(n):
    k = np.arange(n, dtype=np.float64)
    z = 1.0 - (2.0 * k + 1.0) / n
    r = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
    phi = k * np.pi * (3.0 - np.sqrt(5.0))
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def sample(volume, origin, voxel, pts):
    """Trilinear map values at points (N,3) in Angstrom; NaN outside the box."""
    idx = (pts - origin) / voxel  # x, y, z voxel coordinates
    nz, ny, nx = volume.shape
    inside = np.all((idx >= 0) & (idx <= np.array([nx - 1, ny - 1, nz - 1])), axis=1)
    out = np.full(len(pts), np.nan)
    if inside.any():
        c = idx[inside][:, ::-1].T  # z, y, x order for the [z][y][x] array
        out[inside] = map_coordinates(volume, c, order=1, mode='nearest', prefilter=False)
    return out


def qscores(volume, origin, voxel, atoms):
    m = volume.mean(dtype=np.float64)
    s = volume.std(dtype=np.float64)
    high = min(m + 10 * s, float(volume.max()))
    low = max(m - s, float(volume.min()))
    tree = cKDTree(atoms)
    n = len(atoms)
    us = [[] for _ in range(n)]
    vs = [[] for _ in range(n)]
    ids = np.arange(n)
    for R in RADII:
        v = (high - low) * np.exp(-R * R / (2 * SIGMA * SIGMA)) + low
        if R == 0:
            u = sample(volume, origin, voxel, atoms)
            for i in range(n):
                us[i].append(u[i:i + 1])
                vs[i].append(np.array([v]))
            continue
        pending = ids.copy()
        chosen = {}
        for t in range(TRIES):
            if pending.size == 0:
                break
            dirs = golden_spiral(WANT + STEP * t)
            pts = atoms[pending][:, None, :] + R * dirs[None, :, :]
            flat = pts.reshape(-1, 3)
            # nearest atom other than the owner: the two nearest, skipping the owner
            d, j = tree.query(flat, k=2)
            owner = np.repeat(pending, len(dirs))
            own_d = np.linalg.norm(flat - atoms[owner], axis=1)
            other_d = np.where(j[:, 0] == owner, d[:, 1], d[:, 0])
            free = (other_d >= own_d).reshape(len(pending), len(dirs))
            counts = free.sum(axis=1)
            done = (counts >= WANT) | (t == TRIES - 1)
            for row in np.nonzero(done)[0]:
                chosen[pending[row]] = pts[row][free[row]]
            pending = pending[~done]
        for i in range(n):
            p = chosen[i]
            if len(p):
                us[i].append(sample(volume, origin, voxel, p))
                vs[i].append(np.full(len(p), v))
    q = np.full(n, np.nan)
    for i in range(n):
        u = np.concatenate(us[i])
        v = np.concatenate(vs[i])
        ok = np.isfinite(u)
        u, v = u[ok], v[ok]
        if len(u) < 2:
            continue
        du, dv = u - u.mean(), v - v.mean()
        den = np.sqrt((du * du).sum() * (dv * dv).sum())
        if den > 0:
            q[i] = (du * dv).sum() / den
    return q


def main():
    a = sys.argv[1:]
    nx, ny, nz = int(a[1]), int(a[2]), int(a[3])
    origin = np.array([float(a[4]), float(a[5]), float(a[6])])
    voxel = np.array([float(a[7]), float(a[8]), float(a[9])])
    volume = np.fromfile(a[0], dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    atoms = np.fromfile(a[10], dtype='<f8').reshape(-1, 3)
    t0 = time.perf_counter()
    q = qscores(volume, origin, voxel, atoms)
    seconds = time.perf_counter() - t0
    if len(a) > 11:
        q.astype('<f8').tofile(a[11])
    print(json.dumps({'atoms': int(len(atoms)), 'averageQ': float(np.nanmean(q)) if np.isfinite(q).any() else None, 'seconds': seconds}))


if __name__ == '__main__':
    main()
