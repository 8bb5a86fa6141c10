"""Independent numpy map-model correlations, map-model FSC and d99 (level1A-spec.md section A.a),
for cross-checking analyzers/methods/model-fit.ts and item A.a (and the numpy side of the
model-fit row of `npm run bench`). The model map and the masks come from the analyzer; this
script only recomputes what is measured from them.

usage: python3 model_fit_reference.py MAP.f32 MODEL.f32 MASK.f32 SOFT.f32 NX NY NZ VOXEL [D0]
  *.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x]); MASK is 0/1, SOFT the
          soft atom mask the masked FSC multiplies both maps by
prints JSON {ccMask, ccBox, ccVolume, ccPeaks, fscMasked, fscUnmasked, dFscModel0, dFscModel0143,
dFscModel05, d99, d99Masked, dModel (with D0, the model map's resolution), seconds}; resolutions in
Angstrom, null when not crossed.

`model_fit` (used by the model-fit row of `npm run bench`) does the whole computation from the atoms
instead: the model map (sum of each atom's five Peng Gaussians blurred to the resolution, each 1-D
profile normalised over its 4-sigma window, as simulate.ts defines it), the atom mask (voxels within
the radius of an atom), each masked voxel's nearest atom (scipy cKDTree), the CC family, the
per-residue and main/side-chain CC, the soft atom mask and both map-model FSCs, with float32
scipy.fft on both cores as a numpy user would write it.
"""
import json
import math
import sys
import time

import numpy as np
import scipy.fft
from scipy.spatial import cKDTree

SIGMA_PER_RESOLUTION = 0.225  # Chimera molmap: sigma = 0.225 d
WINDOW_SIGMAS = 4
WORKERS = 2


def first_cross(x, y, y0):
    """level1A-spec.md section 0: first index i0 with y < y0; None if none or i0 <= 1; linear in between."""
    hits = np.nonzero(np.asarray(y) < y0)[0]
    if hits.size == 0 or hits[0] <= 1:
        return None
    i0 = int(hits[0])
    ya, yb = y[i0 - 1], y[i0]
    return float(x[i0 - 1] + (y0 - ya) / (yb - ya) * (x[i0] - x[i0 - 1]))


def inv(f):
    return None if f is None or f <= 0 else 1.0 / f


def pearson(a, b):
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def shells(shape):
    nz, ny, nx = shape
    wz, wy, wx = np.meshgrid(np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.rfftfreq(nx), indexing='ij')
    r = np.sqrt(wx ** 2 + wy ** 2 + wz ** 2)
    k = np.rint(r * nx).astype(np.int64)
    k[r > 0.5] = -1
    # Hermitian weight of the half-complex grid: columns other than 0 and Nyquist stand for two coefficients.
    w = np.full(wx.shape, 2.0)
    w[..., 0] = 1.0
    if nx % 2 == 0:
        w[..., -1] = 1.0
    return k, w


def fsc_and_d99(a, b, ts, fast=False):
    """fast: float32 scipy.fft on both cores (the bench); else float64 numpy (the test's reference)."""
    nx = a.shape[2]
    if fast:
        fa = scipy.fft.rfftn(a.astype(np.float32), workers=WORKERS)
        fb = scipy.fft.rfftn(b.astype(np.float32), workers=WORKERS)
    else:
        fa = np.fft.rfftn(a.astype(np.float64))
        fb = np.fft.rfftn(b.astype(np.float64))
    k, w = shells(a.shape)
    n = nx // 2
    sel = (k >= 1) & (k <= n)
    kk = k[sel]
    cross = np.bincount(kk, (w * (fa * np.conj(fb)).real)[sel], n + 1)
    pa = np.bincount(kk, (w * np.abs(fa) ** 2)[sel], n + 1)
    pb = np.bincount(kk, (w * np.abs(fb) ** 2)[sel], n + 1)
    fsc = cross[1:] / np.sqrt(pa[1:] * pb[1:])
    freq = np.arange(1, n + 1) / (nx * ts)
    # d99: the low-pass keeping shells <= k correlates with the Nyquist-limited map as sqrt(P<=k / P),
    # P the power of every non-DC coefficient inside the Nyquist sphere.
    cum = np.cumsum(pa[1:])
    total = float(cum[-1])
    target = 0.99 ** 2 * total
    i = int(np.nonzero(cum >= target)[0][0])
    prev = cum[i - 1] if i > 0 else 0.0
    kstar = i + (target - prev) / (cum[i] - prev)
    return fsc, freq, (nx * ts) / kstar


def profile(u0, delta, variance, half):
    """Start index and the normalised 1-D Gaussian over the window |i - u0| * delta <= half."""
    i0 = math.ceil(u0 - half / delta)
    i1 = math.floor(u0 + half / delta)
    d = (np.arange(i0, i1 + 1) - u0) * delta
    g = np.exp(-d * d / (2 * variance))
    return i0, g / (g.sum() * delta)


def model_map(atoms, shape, origin, ts, d):
    """atoms: rows x, y, z, occupancy, 5 Peng weights, 5 Peng variances (A^2). Float64 sum, float32 out."""
    acc = np.zeros(shape, np.float64)
    nz, ny, nx = shape
    s2 = (SIGMA_PER_RESOLUTION * d) ** 2
    for row in atoms:
        u = [(row[a] - origin[a]) / ts for a in range(3)]
        for t in range(5):
            w = row[4 + t] * row[3]
            if w == 0:
                continue
            var = s2 + row[9 + t]
            half = WINDOW_SIGMAS * math.sqrt(var)
            (x0, gx), (y0, gy), (z0, gz) = (profile(u[a], ts, var, half) for a in range(3))
            xa, ya, za = max(0, x0), max(0, y0), max(0, z0)
            xb, yb, zb = min(nx, x0 + len(gx)), min(ny, y0 + len(gy)), min(nz, z0 + len(gz))
            if xa >= xb or ya >= yb or za >= zb:
                continue
            acc[za:zb, ya:yb, xa:xb] += w * (gz[za - z0:zb - z0, None, None] * gy[None, ya - y0:yb - y0, None]) * gx[None, None, xa - x0:xb - x0]
    return acc.astype(np.float32)


def atom_mask(xyz, shape, origin, ts, radius):
    """Voxels within `radius` A of an atom: a small box round each atom."""
    nz, ny, nx = shape
    mask = np.zeros(shape, bool)
    r = radius / ts
    for p in xyz:
        u = (p - origin) / ts
        lo = np.maximum(0, np.ceil(u - r)).astype(int)
        hi = np.minimum([nx - 1, ny - 1, nz - 1], np.floor(u + r)).astype(int)
        if np.any(hi < lo):
            continue
        gx = ((np.arange(lo[0], hi[0] + 1) - u[0]) * ts) ** 2
        gy = ((np.arange(lo[1], hi[1] + 1) - u[1]) * ts) ** 2
        gz = ((np.arange(lo[2], hi[2] + 1) - u[2]) * ts) ** 2
        mask[lo[2]:hi[2] + 1, lo[1]:hi[1] + 1, lo[0]:hi[0] + 1] |= (gz[:, None, None] + gy[None, :, None] + gx[None, None, :]) <= radius * radius
    return mask


def soft_mask(hard, sigma):
    """Hard mask times exp(-pi^2 sigma^2 |w|^2) in Fourier space, negatives clipped (masks.ts)."""
    F = scipy.fft.rfftn(hard.astype(np.float32), workers=WORKERS)
    nz, ny, nx = hard.shape
    k = math.pi ** 2 * sigma ** 2
    F *= np.exp(-k * np.fft.fftfreq(nz) ** 2).astype(np.float32)[:, None, None]
    F *= np.exp(-k * np.fft.fftfreq(ny) ** 2).astype(np.float32)[None, :, None]
    F *= np.exp(-k * np.fft.rfftfreq(nx) ** 2).astype(np.float32)[None, None, :]
    soft = scipy.fft.irfftn(F, s=hard.shape, workers=WORKERS)
    np.maximum(soft, 0, out=soft)
    return soft


def sums_cc(n, a, b, aa, bb, ab):
    va, vb = aa - a * a / n, bb - b * b / n
    with np.errstate(invalid='ignore', divide='ignore'):
        return np.where((n >= 2) & (va > 0) & (vb > 0), (ab - a * b / n) / np.sqrt(va * vb), np.nan)


def model_fit(a, atoms, residue, backbone, origin, ts, d):
    """Model map, atom mask, nearest atoms, CC family, per-residue CC, soft mask, both FSCs (the bench row)."""
    shape = a.shape
    radius = max(3.0, d)
    b = model_map(atoms, shape, origin, ts, d)
    xyz = atoms[:, :3]
    mask = atom_mask(xyz, shape, origin, ts, radius)
    flat = np.flatnonzero(mask)
    nz, ny, nx = shape
    zz, rem = np.divmod(flat, nx * ny)
    yy, xx = np.divmod(rem, nx)
    pts = np.stack([xx, yy, zz], axis=1) * ts + origin
    _, nearest = cKDTree(xyz).query(pts)
    af, bf = a.ravel(), b.ravel()
    n = flat.size
    ta = np.partition(af, -n)[-n]
    tb = np.partition(bf, -n)[-n]
    volume = bf >= tb
    peaks = volume | (af >= ta)
    am, bm = af[flat].astype(np.float64), bf[flat].astype(np.float64)
    res = residue[nearest]
    keep = res >= 0
    R = int(residue.max()) + 1
    parts = [np.bincount(res[keep], w, R) for w in (None, am[keep], bm[keep], am[keep] ** 2, bm[keep] ** 2, am[keep] * bm[keep])]
    bb = backbone[nearest].astype(bool)
    soft = soft_mask(mask, max(1.0, 2.0 / ts))
    fm, freq, d99m = fsc_and_d99(a * soft, b * soft, ts, fast=True)
    fu, _, d99 = fsc_and_d99(a, b, ts, fast=True)
    return b, parts, {
        'maskVoxels': int(n),
        'ccMask': pearson(am, bm),
        'ccBox': pearson(af, bf),
        'ccVolume': pearson(af[volume], bf[volume]),
        'ccPeaks': pearson(af[peaks], bf[peaks]),
        'ccMainChain': pearson(am[bb], bm[bb]),
        'ccSideChain': pearson(am[~bb], bm[~bb]),
        'fscMasked': fm.tolist(),
        'fscUnmasked': fu.tolist(),
        'dFscModel0143': inv(first_cross(freq, fm, 0.143)),
        'dFscModel05': inv(first_cross(freq, fm, 0.5)),
        'd99': d99,
        'd99Masked': d99m,
    }


def d_model(a, b, ts, d0, step=0.01, factor=4.0):
    """d maximising CC(a, b re-blurred from d0 to d), a and b already masked; each coefficient with its
    own |s| (no shell binning), DC and the corners beyond Nyquist left out; 0.1 A grid, then 0.01 A round the best."""
    nz, ny, nx = a.shape
    fa = np.fft.rfftn(a.astype(np.float64))
    fb = np.fft.rfftn(b.astype(np.float64))
    wz, wy, wx = np.meshgrid(np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.rfftfreq(nx), indexing='ij')
    r2 = wx ** 2 + wy ** 2 + wz ** 2
    k, w = shells(a.shape)
    sel = (k >= 1)
    s2 = r2[sel] / ts ** 2
    cross = (w * (fa * np.conj(fb)).real)[sel]
    pb = (w * np.abs(fb) ** 2)[sel]
    pa = float((w * np.abs(fa) ** 2)[sel].sum())

    def cc(d):
        h = np.exp(-2 * math.pi ** 2 * SIGMA_PER_RESOLUTION ** 2 * (d * d - d0 * d0) * s2)
        return float((cross * h).sum() / math.sqrt(pa * (pb * h * h).sum()))

    lo, hi = 2 * ts, factor * d0
    coarse = np.arange(lo, hi, 0.1)
    best = coarse[int(np.argmax([cc(d) for d in coarse]))]
    fine = np.arange(max(lo, best - 0.1), min(hi, best + 0.1) + step / 2, step)
    return float(fine[int(np.argmax([cc(d) for d in fine]))])


def main():
    mp, mo, mk, sf, nx, ny, nz, ts = sys.argv[1:9]
    d0 = float(sys.argv[9]) if len(sys.argv) > 9 else None
    shape = (int(nz), int(ny), int(nx))
    ts = float(ts)
    load = lambda p: np.fromfile(p, dtype='<f4').reshape(shape)
    a, b, mask, soft = load(mp), load(mo), load(mk) > 0.5, load(sf)
    t0 = time.perf_counter()
    n = int(mask.sum())
    ta = np.sort(a.ravel())[-n]
    tb = np.sort(b.ravel())[-n]
    volume = b >= tb
    peaks = volume | (a >= ta)
    fm, freq, d99m = fsc_and_d99(a * soft, b * soft, ts)
    fu, _, d99 = fsc_and_d99(a, b, ts)
    out = {
        'ccMask': pearson(a[mask], b[mask]),
        'ccBox': pearson(a, b),
        'ccVolume': pearson(a[volume], b[volume]),
        'ccPeaks': pearson(a[peaks], b[peaks]),
        'fscMasked': fm.tolist(),
        'fscUnmasked': fu.tolist(),
        'dFscModel0': inv(first_cross(freq, fm, 0.0)),
        'dFscModel0143': inv(first_cross(freq, fm, 0.143)),
        'dFscModel05': inv(first_cross(freq, fm, 0.5)),
        'd99': d99,
        'd99Masked': d99m,
        'dModel': d_model(a * soft, b * soft, ts, d0) if d0 is not None else None,
        'seconds': time.perf_counter() - t0,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
