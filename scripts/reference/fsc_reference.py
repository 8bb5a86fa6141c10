"""Independent numpy FSC, DPR and SSNR of two half maps on the full complex grid (numpy fftn),
from level1A-spec.md sections 0 and 1.a, for cross-checking analyzers/methods/fsc.ts and item 1.a
(and, as `fsc_curve`, the numpy side of the FSC row of `npm run bench`).

usage: python3 fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL [MASK.f32]
  H*.f32, MASK.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
prints JSON {shell, frequency, fsc, dpr, voxels, ssnrShell, ssnrFrequency, ssnrLog10, fsc0143,
fsc05, dpr1039, ssnr} for shells k = 1 .. floor(NX/2) (SSNR: k = 0 .. floor(NX/2)), plus
maskedFsc and maskedFsc0143 when a mask is given. Resolutions in Angstrom, null when not crossed.
"""
import json
import sys

import numpy as np


def first_cross(x, y, y0, lesser=True):
    """level1A-spec.md section 0: first index i0 with y < y0 (or > y0); None if none or i0 <= 1."""
    y = np.asarray(y, dtype=np.float64)
    hits = np.nonzero(y < y0 if lesser else y > y0)[0]
    if hits.size == 0 or hits[0] <= 1:
        return None
    i0 = int(hits[0])
    ya, yb = y[i0 - 1], y[i0]
    if np.isinf(yb):
        return float(x[i0 - 1])
    return float(x[i0 - 1] + (y0 - ya) / (yb - ya) * (x[i0] - x[i0 - 1]))


def resolution(freq):
    return None if freq is None or freq <= 0 else 1.0 / freq


def grid(nx, ny, nz):
    wz, wy, wx = np.meshgrid(np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.fftfreq(nx), indexing='ij')
    return np.sqrt(wx ** 2 + wy ** 2 + wz ** 2)


def fsc_curves(f1, f2, r, n, ts):
    """FSC, DPR and voxel counts per shell k = round(r n) = 1 .. n//2 (one bincount pass per sum)."""
    shells = n // 2
    k = np.floor(r * n + 0.5).astype(np.int64)  # round half up, as Math.round
    inside = (r <= 0.5) & (k <= shells)
    kk = k[inside]
    a1 = f1[inside]
    a2 = f2[inside]
    prod = a1 * np.conj(a2)
    amp = np.abs(a1) + np.abs(a2)
    dphi = np.degrees(np.angle(prod))

    def sums(w):
        return np.bincount(kk, weights=w, minlength=shells + 1)

    num = sums(prod.real)
    den = np.sqrt(sums(np.abs(a1) ** 2) * sums(np.abs(a2) ** 2))
    dpr = np.sqrt(sums(amp * dphi ** 2) / sums(amp))
    voxels = np.bincount(kk, minlength=shells + 1)
    s = np.arange(1, shells + 1)
    return {
        'shell': s.tolist(),
        'frequency': (s / (n * ts)).tolist(),
        'fsc': (num[1:] / den[1:]).tolist(),
        'dpr': dpr[1:].tolist(),
        'voxels': voxels[1:].tolist(),
    }


def fsc_curve(h1, h2, ts):
    """FSC, DPR and voxel counts of two arrays [z][y][x] (the numpy side of the bench's FSC row)."""
    nz, ny, nx = h1.shape
    return fsc_curves(np.fft.fftn(h1.astype(np.float64)), np.fft.fftn(h2.astype(np.float64)), grid(nx, ny, nz), nx, ts)


def ssnr_curve(f1, f2, r, n, ts):
    """Shell mean of |F1+F2|/|F1-F2| with shell floor(r*n); log10(mean - 1)."""
    shells = n // 2
    k = np.floor(r * n + 1e-9).astype(np.int64)
    s = np.abs(f1 + f2)
    nn = np.abs(f1 - f2)
    ok = nn > 0
    log10 = []
    for sh in range(0, shells + 1):
        m = ok & (k == sh)
        mean = float(np.mean(s[m] / nn[m])) if np.any(m) else float('nan')
        log10.append(float(np.log10(mean - 1)) if mean > 1 else (float('-inf') if mean == mean else float('nan')))
    return list(range(0, shells + 1)), [sh / (n * ts) for sh in range(0, shells + 1)], log10


def main():
    args = sys.argv[1:]
    h1p, h2p, nx, ny, nz, ts = args[:6]
    nx, ny, nz, ts = int(nx), int(ny), int(nz), float(ts)
    h1 = np.fromfile(h1p, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    h2 = np.fromfile(h2p, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    r = grid(nx, ny, nz)
    f1 = np.fft.fftn(h1)
    f2 = np.fft.fftn(h2)
    out = fsc_curves(f1, f2, r, nx, ts)
    out['ssnrShell'], out['ssnrFrequency'], ssnr_log10 = ssnr_curve(f1, f2, r, nx, ts)
    out['fsc0143'] = resolution(first_cross(out['frequency'], out['fsc'], 0.143))
    out['fsc05'] = resolution(first_cross(out['frequency'], out['fsc'], 0.5))
    out['dpr1039'] = resolution(first_cross(out['frequency'], out['dpr'], 103.9, lesser=False))
    out['ssnr'] = resolution(first_cross(out['ssnrFrequency'], ssnr_log10, 0.0))
    out['ssnrLog10'] = [v if np.isfinite(v) else None for v in ssnr_log10]
    if len(args) > 6:
        mask = np.fromfile(args[6], dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
        masked = fsc_curves(np.fft.fftn(h1 * mask), np.fft.fftn(h2 * mask), r, nx, ts)
        out['maskedFsc'] = masked['fsc']
        out['maskedFsc0143'] = resolution(first_cross(masked['frequency'], masked['fsc'], 0.143))
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
