"""Independent numpy/scipy computation of Level 0 items 0.a-0.d from their definitions
(level0-spec.md sections 2, 4-7 with this project's decisions), for cross-checking emvr.

usage: python3 level0_reference.py MAP THRESHOLD [RESOLUTION|none] [SAMPLE_MDA]
prints JSON.

The hard mask holds the structure's pieces: the largest component and every other that holds at
least max(10 resolution elements, 1 % of the raw mask), a resolution element being a sphere of
diameter max(res, 2 Ts). With SAMPLE_MDA (the sample's molecular weight), 0.b also gives the
enclosed/sample mass ratio and the contour that encloses the sample's weight.
"""
import json
import math
import sys

import mrcfile
import numpy as np
from scipy import ndimage, stats


def load(path):
    with mrcfile.open(path, permissive=True) as m:
        h = m.header
        data = np.asarray(m.data, dtype=np.float32)
        axes = [int(h.mapc), int(h.mapr), int(h.maps)]
        file_axis = [axes[2], axes[1], axes[0]]
        vol = np.transpose(data, [file_axis.index(a) for a in (3, 2, 1)])  # [z][y][x]
        vs = m.voxel_size
        return np.ascontiguousarray(vol), (float(vs.x), float(vs.y), float(vs.z))


def element_volume(res, ts):
    d = max(res if res else 0.0, 2 * ts)
    return math.pi / 6 * d ** 3


def masks(vol, t, ts, res, ts3):
    raw = vol >= t
    labels, n = ndimage.label(raw, structure=np.ones((3, 3, 3), bool))
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    limit = max(10 * element_volume(res, ts3 ** (1 / 3)) / ts3, 0.01 * raw.sum())
    pieces = [k for k in range(1, n + 1) if sizes[k] >= limit]
    largest = int(np.argmax(sizes))
    if n > 0 and largest not in pieces:
        pieces.append(largest)
    hard = np.isin(labels, pieces) if n > 0 else np.zeros_like(raw)
    iters = math.ceil(2 / ts) if ts > 0 else 1
    s18 = ndimage.generate_binary_structure(3, 2)
    interior = np.zeros_like(raw)
    interior[1:-1, 1:-1, 1:-1] = True
    hard = ndimage.binary_dilation(hard, structure=s18, iterations=iters, mask=interior)
    return raw, labels, n, sizes[1:], hard, pieces, limit


def mass(vol, hard, vs):
    out = {}
    shape = vol.shape[::-1]  # x, y, z
    left, right, dec = [], [], []
    for a, axis in enumerate((2, 1, 0)):  # x, y, z as numpy axes
        other = tuple(i for i in range(3) if i != axis)
        occ = np.nonzero(hard.any(axis=other))[0]
        lo, hi = occ[0], occ[-1]
        left.append(vs[a] * lo)
        right.append(vs[a] * (shape[a] - 1 - hi))
        dec.append(abs(right[-1] - left[-1]) / (vs[a] * shape[a]) * 100)
    cz, cy, cx = ndimage.center_of_mass(np.where(hard, vol, 0).astype(np.float64))
    com = [float(cx), float(cy), float(cz)]
    out.update(leftSpace=left, rightSpace=right, decentering=dec, centerOfMass=com,
               comDecentering=[abs(com[a] - shape[a] / 2) / shape[a] * 100 for a in range(3)])
    return out


def mask_item(vol, raw, n, sizes, hard, pieces, limit, vs, threshold, sample_mda):
    ts3 = vs[0] * vs[1] * vs[2]
    s = np.sort(sizes)[::-1]
    total = int(raw.sum())
    cum = np.cumsum(s)
    n95 = int(np.searchsorted(cum, 0.95 * total) + 1) if total > 0 else 0
    # Noise blobs: neither in the 95 % set nor a large piece.
    big = set(np.argsort(-sizes, kind='stable')[:n95] + 1) | set(pieces)
    rem = [sizes[k - 1] for k in range(1, n + 1) if k not in big]
    rem_c = len(rem)
    rem_v = int(sum(rem))
    m = float(vol.max())
    step = m / 25
    rows = []
    k = 1
    while step * k < m:
        g = step * k
        w = int((vol > g).sum())
        rows.append([g, w, w * ts3 / (1.207 * 1000), w * ts3 / (110 * 1.207)])
        k += 1
    out = dict(rawVoxels=total, components=int(n), components95=n95,
               remainingComponents=rem_c, remainingAvgVolume=(rem_v / rem_c * ts3) if rem_c > 0 else 0.0,
               constructedVoxels=int(hard.sum()), overlap=float((hard & raw).sum() / total),
               largePieces=len(pieces), largePiecesVoxels=int(sum(sizes[k - 1] for k in pieces)),
               largePieceMinVolume=limit * ts3,
               thresholdTable=rows, contourRow=contour_row(vol, threshold, ts3))
    if sample_mda is not None:
        kda = sample_mda * 1000
        out["massRatio"] = out["contourRow"][2] / kda
        # The contour enclosing the sample's volume: the k-th largest value, unless ties at it
        # (a masked, flat background) make V >= it enclose over 5 % more.
        k = int(round(kda * 1000 * 1.207 / ts3))
        flat = np.sort(vol.ravel())[::-1]
        c = None
        if 1 <= k <= flat.size:
            c = float(flat[k - 1])
            if (vol >= c).sum() > 1.05 * k:
                c = None
        out["sampleMassContour"] = c
    return out


def contour_row(vol, threshold, ts3):
    # The mass at the recommended contour itself: voxels at or above it, counted afresh from the map
    # in float64 (as emvr compares float32 voxels with a float64 contour), not from the raw mask.
    w = int((vol.astype(np.float64) >= float(threshold)).sum())
    return [threshold, w, w * ts3 / (1.207 * 1000), w * ts3 / (110 * 1.207)]


def background(vol, hard):
    b = vol[~hard].astype(np.float64)
    if b.std() == 0 or (b == 0).mean() >= 0.5:
        return dict(masked=True)
    t, p = stats.ttest_1samp(b, 0.0)
    sigma = b.std()
    frac = float((np.abs(b) > 5 * sigma).sum()) / b.size
    g5 = 2 * stats.norm.sf(5)
    return dict(n=int(b.size), mean=float(b.mean()), std=float(sigma), t=float(t), p=float(p),
                outlierFraction=frac, outlierRatio=frac / g5)


def guinier(vol, ts, res):
    nz, ny, nx = vol.shape
    F = np.fft.rfftn(vol.astype(np.float64)) / vol.size  # [z][y][x half]
    wz = np.fft.fftfreq(nz)[:, None, None]
    wy = np.fft.fftfreq(ny)[None, :, None]
    wx = np.fft.rfftfreq(nx)[None, None, :]
    w2 = wx ** 2 + wy ** 2 + wz ** 2
    keep = w2 <= 0.25
    k = np.rint(np.sqrt(w2) * nx).astype(int)
    sel = keep & (k < nx)
    amp = np.abs(F)
    sums = np.bincount(k[sel], weights=amp[sel], minlength=nx)
    counts = np.bincount(k[sel], minlength=nx)
    xs, ys = [], []
    for kk in range(1, nx):
        d = nx * ts / kk
        if d >= res and d <= 15 and sums[kk] > 0:
            xs.append(1 / d ** 2)
            ys.append(math.log(sums[kk] / counts[kk]))
    if len(xs) < 2:
        return dict(bFactor=None)
    a, b = np.polyfit(xs, ys, 1)
    return dict(bFactor=4 * a, slope=a, intercept=b, fitPoints=len(xs))


def main():
    path, t = sys.argv[1], float(sys.argv[2])
    res = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] != 'none' else None
    sample_mda = float(sys.argv[4]) if len(sys.argv) > 4 else None
    vol, vs = load(path)
    raw, labels, n, sizes, hard, pieces, limit = masks(vol, t, vs[0], res, vs[0] * vs[1] * vs[2])
    out = {"hardVoxels": int(hard.sum())}
    if hard.sum() > 0:
        out["0.a"] = mass(vol, hard, vs)
        out["0.b"] = mask_item(vol, raw, n, sizes, hard, pieces, limit, vs, t, sample_mda)
        out["0.c"] = background(vol, hard)
        out["0.d"] = guinier(vol, vs[0], res) if res else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
