"""Independent numpy FSC and DPR of two half maps on the full complex grid (numpy fftn), from
level1A-spec.md section 1.a, for cross-checking analyzers/methods/fsc.ts (and, as `fsc_curve`,
the numpy side of the FSC row of `npm run bench`).

usage: python3 fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL
  H*.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
prints JSON {shell, frequency, fsc, dpr, voxels} for shells k = 1 .. floor(NX/2).
"""
import json
import sys

import numpy as np


def fsc_curve(h1, h2, ts):
    """FSC, DPR and voxel counts of two arrays [z][y][x], shells k = round(|w| NX) = 1 .. NX//2."""
    nz, ny, nx = h1.shape
    f1 = np.fft.fftn(h1.astype(np.float64))
    f2 = np.fft.fftn(h2.astype(np.float64))
    wz, wy, wx = np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.fftfreq(nx)
    r = np.sqrt(wz[:, None, None] ** 2 + wy[None, :, None] ** 2 + wx[None, None, :] ** 2)
    shells = nx // 2
    k = np.floor(r * nx + 0.5).astype(np.int64)  # round half up, as Math.round
    inside = (r <= 0.5) & (k <= shells)
    del r
    kk = k[inside]
    a1 = f1[inside]
    a2 = f2[inside]
    del f1, f2, k, inside
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
        'frequency': (s / (nx * ts)).tolist(),
        'fsc': (num[1:] / den[1:]).tolist(),
        'dpr': dpr[1:].tolist(),
        'voxels': voxels[1:].tolist(),
    }


def main():
    h1p, h2p, nx, ny, nz, ts = sys.argv[1:7]
    nx, ny, nz, ts = int(nx), int(ny), int(nz), float(ts)
    h1 = np.fromfile(h1p, dtype='<f4').reshape(nz, ny, nx)
    h2 = np.fromfile(h2p, dtype='<f4').reshape(nz, ny, nx)
    json.dump(fsc_curve(h1, h2, ts), sys.stdout)


if __name__ == '__main__':
    main()
