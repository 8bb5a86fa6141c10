"""Independent numpy FDR-FSC (Beckers & Sachse, JSB 212:107579, 2020) of two half maps, from
level1A-spec.md section 1.b, for cross-checking analyzers/methods/fdr-fsc.ts.

usage: python3 fdr_fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL [--seed S] [--max-permutations P]
           [--block B] [--max-samples M] [--fraction F] [--mask-out MASK.f32] [--bfactor-resolution R]
  H*.f32 : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
prints JSON {shell, frequency, fsc, pValue, qValue, significant, coefficients, samples,
permutations, resolution, maskRadius} for shells i = 0 .. floor(NX/2); --mask-out writes the mask;
--bfactor-resolution adds SPOC's B-factor (section 1.b step 7) for that resolution as bFactor.

Same definitions and caps as the TypeScript side (numpy's own random numbers, so p-values agree
only statistically): spherical mask of radius min/2 - 4 about the box centre (n - 1)/2 with a
Gaussian fall-off (sigma 2 voxels, weights below 1e-6 set to 0); shells
(i - 1/2)/(NX*VOXEL) < |f| < (i + 1/2)/(NX*VOXEL) over numpy's rfftn grid as it is; m = min(max(
floor(phi n), 1), cap) pairs drawn without replacement, phi the mask's effective volume fraction
(--fraction 0.7 is SPOC's constant); permutations in blocks with the same stopping rules; p = share
of permuted FSC >= observed; Benjamini-Yekutieli over all shells.
"""
import argparse
import json
import math
import sys

import numpy as np

SIGMA = 2.0
FLOOR = 1e-6
MIN_SAMPLES = 10
SMALL_SHELL_FSC = 0.75
CONVERGED = 0.001


def fall_off_mask(shape, radius):
    """Mask on an array [z][y][x]: 1 within radius of the centre, exp(-(r - R)^2/(2 sigma^2)) outside."""
    axes = [np.arange(n) - (n - 1) / 2 for n in shape]
    r = np.sqrt(axes[0][:, None, None] ** 2 + axes[1][None, :, None] ** 2 + axes[2][None, None, :] ** 2)
    w = np.exp(-((r - radius) ** 2) / (2 * SIGMA ** 2))
    w[w < FLOOR] = 0.0
    w[r <= radius] = 1.0
    return w


def shells_of(shape, ts):
    """Shell index of every rfftn coefficient (-1 outside every shell), from the frequency in 1/A."""
    nz, ny, nx = shape
    fz = np.fft.fftfreq(nz, d=ts)
    fy = np.fft.fftfreq(ny, d=ts)
    fx = np.fft.rfftfreq(nx, d=ts)
    f = np.sqrt(fz[:, None, None] ** 2 + fy[None, :, None] ** 2 + fx[None, None, :] ** 2)
    spacing = 1.0 / (nx * ts)
    s = f / spacing
    i = np.floor(s + 0.5)
    # Strict bounds: a coefficient on a boundary (to 1e-9 shell units) belongs to no shell.
    ok = (np.abs(np.abs(s - i) - 0.5) >= 1e-9) & (i <= nx // 2)
    return np.where(ok, i, -1).astype(np.int32).ravel()


def harmonic(m):
    return math.log(m) + 0.5772 + 1 / (2 * m) - 1 / (12 * m * m) + 1 / (120 * m ** 4)


def benjamini_yekutieli(p):
    p = np.asarray(p, dtype=np.float64)
    m = p.size
    order = np.argsort(p, kind='stable')
    ranked = p[order] * (m / np.arange(1, m + 1)) * harmonic(m)
    q_sorted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    q = np.empty(m)
    q[order] = q_sorted
    return q


def permutation_test(a, b, observed, rng, max_perm, block, decisive):
    """Exceedances (permuted FSC >= observed) and permutations run, with the stopping rules."""
    den = math.sqrt(float(np.sum(np.abs(a) ** 2)) * float(np.sum(np.abs(b) ** 2)))
    m = a.size
    exceed = used = 0
    previous = -1.0
    base = np.arange(m)
    while used < max_perm:
        nb = min(block, max_perm - used)
        perm = rng.permuted(np.tile(base, (nb, 1)), axis=1)
        if den > 0:
            f = (a.real[None, :] * b.real[perm] + a.imag[None, :] * b.imag[perm]).sum(axis=1) / den
        else:
            f = np.zeros(nb)
        exceed += int(np.count_nonzero(f >= observed))
        used += nb
        p = exceed / used
        if exceed >= decisive:
            break
        if exceed > 0 and previous >= 0 and abs(p - previous) < CONVERGED:
            break
        previous = p
    return exceed, used


def fdr_fsc(h1, h2, ts, seed=3, max_perm=200, block=50, max_samples=20000, fraction=None, alpha=0.01):
    """FDR-FSC of two arrays [z][y][x]; returns (result dict, mask). fraction None: the mask's
    effective volume fraction (sum w^2)^2 / (V sum w^4)."""
    shape = h1.shape
    radius = min(shape) / 2 - 4
    mask = fall_off_mask(shape, radius)
    if fraction is None:
        fraction = float(np.sum(mask ** 2) ** 2 / (mask.size * np.sum(mask ** 4)))
    f1 = np.fft.rfftn(h1.astype(np.float64) * mask).ravel()
    f2 = np.fft.rfftn(h2.astype(np.float64) * mask).ravel()
    k = shells_of(shape, ts)
    nshell = shape[2] // 2 + 1
    valid = np.flatnonzero(k >= 0)
    kv = k[valid]
    counts = np.bincount(kv, minlength=nshell)
    cross = np.bincount(kv, weights=(f1[valid] * np.conj(f2[valid])).real, minlength=nshell)
    p1 = np.bincount(kv, weights=np.abs(f1[valid]) ** 2, minlength=nshell)
    p2 = np.bincount(kv, weights=np.abs(f2[valid]) ** 2, minlength=nshell)
    den = np.sqrt(p1 * p2)
    fsc = np.where(den > 0, cross / np.where(den > 0, den, 1), 0.0)

    samples = np.where(counts > 0, np.minimum(np.maximum(np.floor(fraction * counts), 1), max_samples), 0).astype(np.int64)
    order = valid[np.argsort(kv, kind='stable')]
    starts = np.concatenate(([0], np.cumsum(counts)))
    decisive = math.floor(alpha * max_perm / harmonic(nshell)) + 1
    rng = np.random.default_rng(seed)
    p = np.zeros(nshell)
    used = np.zeros(nshell, dtype=np.int64)
    for i in range(1, nshell):
        m = int(samples[i])
        if m < MIN_SAMPLES:
            p[i] = 0.0 if fsc[i] >= SMALL_SHELL_FSC else 1.0
            continue
        members = order[starts[i]:starts[i + 1]]
        pick = members[rng.choice(members.size, m, replace=False)]
        exceed, used[i] = permutation_test(f1[pick], f2[pick], fsc[i], rng, max_perm, block, decisive)
        p[i] = exceed / used[i]
    q = benjamini_yekutieli(p)
    significant = q <= alpha
    freq = np.arange(nshell) / (shape[2] * ts)
    bad = np.flatnonzero(~significant)
    if bad.size == 0:
        resolution = 2 * ts
    else:
        resolution = None if bad[0] <= 1 else float(1 / freq[bad[0] - 1])
    return {
        'shell': list(range(nshell)),
        'frequency': freq.tolist(),
        'fsc': fsc.tolist(),
        'pValue': p.tolist(),
        'qValue': q.tolist(),
        'significant': [int(x) for x in significant],
        'coefficients': counts.tolist(),
        'samples': samples.tolist(),
        'permutations': used.tolist(),
        'resolution': resolution,
        'maskRadius': radius,
    }, mask


def spoc_bfactor(h1, h2, ts, resolution):
    """4 * slope of ln(mean |F|) against f^2 over 1/10 < f_i < 1/resolution, of (h1 + h2)/2 times a
    sphere of radius min/4 - 4 (None when resolution >= 8 A or fewer than 2 shells)."""
    if resolution is None or not resolution < 8:
        return None
    shape = h1.shape
    radius = min(shape) / 4 - 4
    if radius <= 0:
        return None
    f = np.abs(np.fft.rfftn(0.5 * (h1.astype(np.float64) + h2.astype(np.float64)) * fall_off_mask(shape, radius))).ravel()
    k = shells_of(shape, ts)
    nshell = shape[2] // 2 + 1
    valid = k >= 0
    sums = np.bincount(k[valid], weights=f[valid], minlength=nshell)
    counts = np.bincount(k[valid], minlength=nshell)
    freq = np.arange(nshell) / (shape[2] * ts)
    sel = (freq > 1 / 10) & (freq < 1 / resolution) & (sums > 0)
    if np.count_nonzero(sel) < 2:
        return None
    slope = np.polyfit(freq[sel] ** 2, np.log(sums[sel] / counts[sel]), 1)[0]
    return float(4 * slope)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('h1')
    ap.add_argument('h2')
    ap.add_argument('nx', type=int)
    ap.add_argument('ny', type=int)
    ap.add_argument('nz', type=int)
    ap.add_argument('voxel', type=float)
    ap.add_argument('--seed', type=int, default=3)
    ap.add_argument('--max-permutations', type=int, default=200)
    ap.add_argument('--block', type=int, default=50)
    ap.add_argument('--max-samples', type=int, default=20000)
    ap.add_argument('--fraction', type=float)
    ap.add_argument('--mask-out')
    ap.add_argument('--bfactor-resolution', type=float)
    a = ap.parse_args()
    shape = (a.nz, a.ny, a.nx)
    h1 = np.fromfile(a.h1, dtype='<f4').reshape(shape)
    h2 = np.fromfile(a.h2, dtype='<f4').reshape(shape)
    out, mask = fdr_fsc(h1, h2, a.voxel, a.seed, a.max_permutations, a.block, a.max_samples, a.fraction)
    if a.bfactor_resolution is not None:
        out['bFactor'] = spoc_bfactor(h1, h2, a.voxel, a.bfactor_resolution)
    if a.mask_out:
        mask.astype('<f4').tofile(a.mask_out)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
