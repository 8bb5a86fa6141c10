"""Independent numpy computation of Level 0 items 0.f (LocBFactor) and 0.g (LocOccupancy) from
their definitions (level0-spec.md sections 9 and 10), on the full complex grid (numpy fftn/ifftn),
for cross-checking emvr's half-complex implementation.

usage: python3 locbfactor_reference.py MAP.f32 MASK.u8 N VOXEL RESOLUTION OUT_PREFIX
  MAP.f32  : N^3 little-endian float32, x fastest (array [z][y][x])
  MASK.u8  : N^3 bytes, nonzero = inside the molecule
writes OUT_PREFIX.bmap.f32 and OUT_PREFIX.omap.f32 (same layout) and prints JSON
{frequencies, noise, occupancyFrequencies, occupancyLevels, delta}.
"""
import json
import sys

import numpy as np

MIN_RES = 15.0
NUM_POINTS = 10
NOISE_Q = 0.9
PROTEIN_Q = 0.25
WIDTH = 4.8


def main():
    map_path, mask_path, n, ts, res, prefix = sys.argv[1:7]
    n = int(n)
    ts = float(ts)
    res = float(res)
    vol = np.fromfile(map_path, dtype='<f4').reshape(n, n, n).astype(np.float64)
    inside = np.fromfile(mask_path, dtype=np.uint8).reshape(n, n, n) != 0

    spectrum = np.fft.fftn(vol)
    axis_f = np.fft.fftfreq(n, d=ts)
    fz, fy, fx = np.meshgrid(axis_f, axis_f, axis_f, indexing='ij')
    rho = np.sqrt(fx * fx + fy * fy + fz * fz)
    safe = np.where(rho > 0, rho, 1.0)
    riesz = [np.where(rho > 0, -1j * comp / safe, 0) for comp in (fx, fy, fz)]
    delta = WIDTH / (n * ts)

    def amplitude(freq):
        shell = np.exp(-((rho - freq) ** 2) / (2 * delta * delta))
        shell = shell / shell.sum()
        g = shell * spectrum
        power = np.abs(np.fft.ifftn(g)) ** 2
        for h in riesz:
            power += np.abs(np.fft.ifftn(h * g)) ** 2
        return np.sqrt(power)

    centre = np.arange(n) - n / 2
    cz, cy, cx = np.meshgrid(centre, centre, centre, indexing='ij')
    background = (~inside) & (np.sqrt(cx * cx + cy * cy + cz * cz) < n / 2)

    freqs = np.linspace(1 / MIN_RES, 1 / res, NUM_POINTS)
    logs = np.empty((NUM_POINTS, n * n * n))
    noise = []
    for j, freq in enumerate(freqs):
        a = amplitude(freq)
        q = float(np.quantile(a[background], NOISE_Q))
        noise.append(q)
        weight = a / (a + q)
        logs[j] = np.log(weight * a).ravel()
    design = np.column_stack([np.ones(NUM_POINTS), freqs ** 2])
    coef, *_ = np.linalg.lstsq(design, logs, rcond=None)
    bmap = (4 * coef[1]).reshape(n, n, n).astype(np.float32)

    count = max(1, int((1 / res - 1 / MIN_RES) / delta))
    occ_freqs = np.linspace(1 / MIN_RES, 1 / res, count)
    omap = np.zeros((n, n, n))
    levels = []
    for freq in occ_freqs:
        a = amplitude(freq)
        q = float(np.quantile(a[inside], PROTEIN_Q))
        levels.append(q)
        omap += a >= q
    omap = (omap / count).astype(np.float32)

    bmap.astype('<f4').tofile(prefix + '.bmap.f32')
    omap.astype('<f4').tofile(prefix + '.omap.f32')
    print(json.dumps({
        'frequencies': freqs.tolist(),
        'noise': noise,
        'occupancyFrequencies': occ_freqs.tolist(),
        'occupancyLevels': levels,
        'delta': delta,
    }))


if __name__ == '__main__':
    main()
