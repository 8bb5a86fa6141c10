"""Independent numpy map-model correlations, map-model FSC and d99 (level1A-spec.md section A.a),
for cross-checking analyzers/methods/model-fit.ts and item A.a (and the numpy side of the
model-fit row of `npm run bench`). The model map and the masks come from the analyzer; this
script only recomputes what is measured from them.

usage: python3 model_fit_reference.py MAP.f32 MODEL.f32 MASK.f32 SOFT.f32 NX NY NZ VOXEL
  *.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x]); MASK is 0/1, SOFT the
          soft atom mask the masked FSC multiplies both maps by
prints JSON {ccMask, ccBox, ccVolume, ccPeaks, fscMasked, fscUnmasked, dFscModel0, dFscModel0143,
dFscModel05, d99, d99Masked, seconds}; resolutions in Angstrom, null when not crossed.
"""
import json
import sys
import time

import numpy as np


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


def fsc_and_d99(a, b, ts):
    nx = a.shape[2]
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


def main():
    mp, mo, mk, sf, nx, ny, nz, ts = sys.argv[1:9]
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
        'seconds': time.perf_counter() - t0,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
