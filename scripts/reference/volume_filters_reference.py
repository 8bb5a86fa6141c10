"""Independent references for analyzers/methods/filters.ts and resize.ts (numpy + scipy.ndimage).

Volumes are raw little-endian float32, x fastest (numpy shape (nz, ny, nx)).

usage:
  python3 volume_filters_reference.py gaussian IN NX NY NZ SX SY SZ OUT
      scipy.ndimage.gaussian_filter(mode='wrap', truncate=12) with per-axis std (voxels);
      the large truncation makes the sampled kernel match the Fourier definition to ~1e-7.
  python3 volume_filters_reference.py resize IN NX NY NZ TX TY TZ TARGET OUT
      level0-spec.md 2.4 written from the spec: numpy raised-cosine low-pass (cutoff f/2, width
      0.02 digital) when f = T/TARGET < 1, then scipy.ndimage.spline_filter(order=3,
      mode='grid-wrap') and map_coordinates(order=3, mode='grid-wrap', prefilter=False) at the
      centred, windowed coordinates; writes the W^3 result (float32) to OUT and prints W.
"""
import sys

import numpy as np
from scipy import ndimage


def read(path, nx, ny, nz):
    return np.fromfile(path, dtype='<f4').reshape(nz, ny, nx).astype(np.float64)


def gaussian(args):
    path, nx, ny, nz, sx, sy, sz, out = args
    a = read(path, int(nx), int(ny), int(nz))
    # numpy axes are (z, y, x)
    r = ndimage.gaussian_filter(a, sigma=(float(sz), float(sy), float(sx)), mode='wrap', truncate=12.0)
    r.astype('<f4').tofile(out)


def raised_cosine_lowpass(a, cutoff, width):
    nz, ny, nx = a.shape
    F = np.fft.rfftn(a)
    wz = np.fft.fftfreq(nz)[:, None, None]
    wy = np.fft.fftfreq(ny)[None, :, None]
    wx = np.fft.rfftfreq(nx)[None, None, :]
    w = np.sqrt(wx ** 2 + wy ** 2 + wz ** 2)
    g = np.where(w <= cutoff, 1.0, np.where(w >= cutoff + width, 0.0, 0.5 * (1 + np.cos(np.pi * (w - cutoff) / width))))
    return np.fft.irfftn(F * g, s=a.shape)


def resize(args):
    path, nx, ny, nz, tx, ty, tz, target, out = args
    nx, ny, nz = int(nx), int(ny), int(nz)
    T = [float(tx), float(ty), float(tz)]
    target = float(target)
    a = read(path, nx, ny, nz)
    f = [t / target for t in T]
    if min(f) < 1:
        if not (T[0] == T[1] == T[2]):
            raise SystemExit('reference handles isotropic voxels only')
        a = raised_cosine_lowpass(a, f[0] / 2, 0.02)
    N = [nx, ny, nz]
    Np = [int(np.floor(N[k] * f[k])) for k in range(3)]
    W = 2 * int(np.floor(nx * f[0] / 2))
    coef = ndimage.spline_filter(a, order=3, mode='grid-wrap')
    axes = []
    valid = []
    for k in range(3):
        j = np.arange(W)
        ip = j - W // 2 + Np[k] // 2
        axes.append(N[k] // 2 + (ip - Np[k] // 2) * (N[k] / Np[k]))
        valid.append((ip >= 0) & (ip < Np[k]))
    uz, uy, ux = np.meshgrid(axes[2], axes[1], axes[0], indexing='ij')
    r = ndimage.map_coordinates(coef, [uz.ravel(), uy.ravel(), ux.ravel()], order=3, mode='grid-wrap', prefilter=False)
    r = r.reshape(W, W, W)
    mask = valid[2][:, None, None] & valid[1][None, :, None] & valid[0][None, None, :]
    r[~mask] = 0
    r.astype('<f4').tofile(out)
    print(W)


def main():
    cmd = sys.argv[1]
    if cmd == 'gaussian':
        gaussian(sys.argv[2:])
    elif cmd == 'resize':
        resize(sys.argv[2:])
    else:
        raise SystemExit(f'unknown command {cmd}')


if __name__ == '__main__':
    main()
