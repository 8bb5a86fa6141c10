"""Independent numpy local FSC (Blocres-like, level1A-spec.md section 1.c), for cross-checking
analyzers/methods/local-fsc.ts per node, and the numpy side of the 1.c row of `npm run bench`.

For each node, given by the first voxel (x0, y0, z0) of its cube: the cube of B^3 voxels from both
half maps (voxels outside the box are 0) times the separable window cos^2(pi*t/B), t the distance
from the cube centre along each axis; zero-padded to N = 2B; numpy fftn of each half (complex128);
shell k = round(|(kx, ky, kz)|) for integer frequencies with |k| <= B; FSC_k = sum Re(F1 F2*) /
sqrt(sum |F1|^2 * sum |F2|^2), k = 1 .. B. The local resolution is N*Ts/kc with kc where the FSC
first falls below the cutoff, linear between the shells around it; N*Ts when shell 1 is already
below, 2*Ts when no shell is.

usage: python3 local_fsc_reference.py H1.f32 H2.f32 NX NY NZ VOXEL BOX CUTOFF NODES.i32 [--curves] [--limit M]
  H*.f32    : NX*NY*NZ little-endian float32, x fastest (array [z][y][x])
  NODES.i32 : little-endian int32 triples (x0, y0, z0), one per node
  --limit M : only the first M nodes (the bench times a subset and scales)
prints JSON {resolution: [...], seconds: s} (and fsc: [[k = 1 .. B] per node] with --curves).
"""
import json
import sys
import time

import numpy as np


def window(box):
    t = np.abs(np.arange(box) - (box - 1) / 2.0)
    w = np.cos(np.pi * t / box) ** 2
    return w[:, None, None] * w[None, :, None] * w[None, None, :]


def shells(box):
    n = 2 * box
    f = np.fft.fftfreq(n) * n
    kz, ky, kx = np.meshgrid(f, f, f, indexing='ij')
    r = np.sqrt(kx ** 2 + ky ** 2 + kz ** 2)
    k = np.floor(r + 0.5).astype(np.int64)
    k[(r > box) | (r == 0)] = 0
    return k.ravel()


def cube(vol, x0, y0, z0, box):
    """The B^3 cube starting at (x0, y0, z0) of a [z][y][x] array; voxels outside the box are 0."""
    nz, ny, nx = vol.shape
    out = np.zeros((box, box, box))
    lo = [max(0, -c) for c in (z0, y0, x0)]
    hi = [min(box, n - c) for c, n in zip((z0, y0, x0), (nz, ny, nx))]
    if any(h <= l for l, h in zip(lo, hi)):
        return out
    out[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = vol[z0 + lo[0]:z0 + hi[0], y0 + lo[1]:y0 + hi[1], x0 + lo[2]:x0 + hi[2]]
    return out


def local_fsc(h1, h2, x0, y0, z0, box, win, shell):
    n = 2 * box
    pad = np.zeros((n, n, n))
    pad[:box, :box, :box] = cube(h1, x0, y0, z0, box) * win
    f1 = np.fft.fftn(pad).ravel()
    pad[:box, :box, :box] = cube(h2, x0, y0, z0, box) * win
    f2 = np.fft.fftn(pad).ravel()
    cross = np.bincount(shell, (f1 * np.conj(f2)).real, minlength=box + 1)
    p1 = np.bincount(shell, np.abs(f1) ** 2, minlength=box + 1)
    p2 = np.bincount(shell, np.abs(f2) ** 2, minlength=box + 1)
    den = np.sqrt(p1 * p2)
    with np.errstate(invalid='ignore', divide='ignore'):
        fsc = np.where(den > 0, cross / den, 0.0)
    return fsc[1:box + 1]


def crossing(fsc, cutoff, box, ts):
    n = 2 * box
    below = np.nonzero(fsc < cutoff)[0]
    if below.size == 0:
        return 2 * ts
    i = int(below[0])
    if i == 0:
        return n * ts
    a, b = fsc[i - 1], fsc[i]
    kc = i + (a - cutoff) / (a - b)  # shell of fsc[i - 1] is i
    return n * ts / kc


def main(argv):
    curves = '--curves' in argv
    args = [a for a in argv if a != '--curves']
    limit = None
    if '--limit' in args:
        j = args.index('--limit')
        limit = int(args[j + 1])
        del args[j:j + 2]
    p1, p2, nx, ny, nz, ts, box, cutoff, nodes_path = args
    nx, ny, nz, box = int(nx), int(ny), int(nz), int(box)
    ts, cutoff = float(ts), float(cutoff)
    h1 = np.fromfile(p1, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    h2 = np.fromfile(p2, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    nodes = np.fromfile(nodes_path, dtype='<i4').reshape(-1, 3)
    if limit is not None:
        nodes = nodes[:limit]
    win = window(box)
    shell = shells(box)
    t0 = time.perf_counter()
    res, all_fsc = [], []
    for x0, y0, z0 in nodes:
        fsc = local_fsc(h1, h2, int(x0), int(y0), int(z0), box, win, shell)
        res.append(crossing(fsc, cutoff, box, ts))
        if curves:
            all_fsc.append(fsc.tolist())
    out = {'resolution': res, 'seconds': time.perf_counter() - t0}
    if curves:
        out['fsc'] = all_fsc
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1:])
