"""Independent numpy FSC and DPR of two half maps on the full complex grid (numpy fftn), from
level1A-spec.md section 1.a, for cross-checking analyzers/methods/fsc.ts.

usage: python3 fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL
  H*.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
prints JSON {shell, frequency, fsc, dpr, voxels} for shells k = 1 .. floor(NX/2).
"""
import json
import sys

import numpy as np


def main():
    h1p, h2p, nx, ny, nz, ts = sys.argv[1:7]
    nx, ny, nz, ts = int(nx), int(ny), int(nz), float(ts)
    h1 = np.fromfile(h1p, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    h2 = np.fromfile(h2p, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    f1 = np.fft.fftn(h1)
    f2 = np.fft.fftn(h2)
    wz, wy, wx = np.meshgrid(np.fft.fftfreq(nz), np.fft.fftfreq(ny), np.fft.fftfreq(nx), indexing='ij')
    r = np.sqrt(wx ** 2 + wy ** 2 + wz ** 2)
    n = nx
    shells = n // 2
    k = np.floor(r * n + 0.5).astype(np.int64)  # round half up, as Math.round
    inside = (r <= 0.5) & (k <= shells)
    prod = f1 * np.conj(f2)
    amp = np.abs(f1) + np.abs(f2)
    dphi = np.degrees(np.angle(prod))
    out = {'shell': [], 'frequency': [], 'fsc': [], 'dpr': [], 'voxels': []}
    for s in range(1, shells + 1):
        m = inside & (k == s)
        num = np.sum(prod[m].real)
        den = np.sqrt(np.sum(np.abs(f1[m]) ** 2) * np.sum(np.abs(f2[m]) ** 2))
        out['shell'].append(s)
        out['frequency'].append(s / (n * ts))
        out['fsc'].append(float(num / den))
        out['dpr'].append(float(np.sqrt(np.sum(amp[m] * dphi[m] ** 2) / np.sum(amp[m]))))
        out['voxels'].append(int(np.count_nonzero(m)))
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
