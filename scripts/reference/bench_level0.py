"""The numpy/scipy/mrcfile equivalent of one `npm run bench` step, timed in-process.

usage: python3 bench_level0.py STEP MAP THRESHOLD RESOLUTION RUNS
prints JSON {"seconds": [...], "peakRssMB": float, "check": {...}}.
The definitions are those of level0-spec.md (same as level0_reference.py, which this reuses).
"""
import json
import math
import resource
import sys
import time

import mrcfile
import numpy as np
from scipy import ndimage

import level0_reference as ref


def load(path):
    vol, vs = ref.load(path)
    return vol, vs


def synthetic(n):
    """Deterministic test volume identical to the TypeScript side: ((7x + 13y + 31z) mod 97)/97 − 0.5."""
    z, y, x = np.indices((n, n, n), dtype=np.int64)
    return (((7 * x + 13 * y + 31 * z) % 97) / 97.0 - 0.5).astype(np.float32)


def main():
    step, path, t, res, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    res = None if res == 'none' else float(res)
    vol = vs = None
    if step not in ('fft256', 'fft432'):
        vol, vs = load(path)
    state = {}

    def run_once():
        if step == 'read':
            v, _ = load(path)
            state['check'] = {"dims": list(v.shape[::-1]), "sum": float(v.astype(np.float64).sum())}
        elif step == 'hard-mask':
            raw, labels, n, sizes, hard = ref.masks(vol, t, vs[0])
            state['check'] = {"components": int(n), "hardVoxels": int(hard.sum())}
        elif step == 'soft-mask':
            _, _, _, _, hard = ref.masks(vol, t, vs[0])
            nz, ny, nx = vol.shape
            w2 = (np.fft.fftfreq(nz)[:, None, None] ** 2 + np.fft.fftfreq(ny)[None, :, None] ** 2
                  + np.fft.rfftfreq(nx)[None, None, :] ** 2)
            soft = np.fft.irfftn(np.fft.rfftn(hard.astype(np.float32)) * np.exp(-math.pi ** 2 * 4 * w2), s=vol.shape)
            soft[soft < 0] = 0
            state['check'] = {"sum": float(soft.sum())}
        elif step in ('0.a', '0.b', '0.c'):
            raw, labels, n, sizes, hard = state['masks']
            if step == '0.a':
                a = ref.mass(vol, hard, vs)
                state['check'] = {"decentering": a["decentering"], "centerOfMass": a["centerOfMass"]}
            elif step == '0.b':
                b = ref.mask_item(vol, raw, n, sizes, hard, vs)
                state['check'] = {"components95": b["components95"], "overlap": b["overlap"],
                                  "tableVoxels": [r[1] for r in b["thresholdTable"]]}
            else:
                c = ref.background(vol, hard)
                state['check'] = {"masked": True} if c.get("masked") else {"t": c["t"], "outlierRatio": c["outlierRatio"]}
        elif step == '0.d':
            d = ref.guinier(vol, vs[0], res) if res else {"bFactor": None}
            state['check'] = {"bFactor": d["bFactor"]}
        elif step in ('fft256', 'fft432'):
            import scipy.fft
            a = state['syn']
            F = scipy.fft.rfftn(a, workers=2)
            n = a.shape[0]
            w = np.full(F.shape[2], 2.0)
            w[0] = 1.0
            w[n // 2] = 1.0  # columns 1..n/2-1 of the half spectrum stand for two coefficients
            power = float(np.sum((np.abs(F.astype(np.complex128)) ** 2) * w[None, None, :]))
            state['check'] = {"power": power, "f123": [float(F[3, 2, 1].real), float(F[3, 2, 1].imag)]}
        elif step == 'gaussian':
            g = ndimage.gaussian_filter(vol, sigma=2.0, mode='wrap', truncate=6.0)
            state['check'] = {"sum": float(g.astype(np.float64).sum()), "sumSq": float((g.astype(np.float64) ** 2).sum())}
        else:
            raise SystemExit(f"unknown step {step}")

    if step in ('fft256', 'fft432'):
        state['syn'] = synthetic(256 if step == 'fft256' else 432)  # input, not timed
    if step in ('0.a', '0.b', '0.c'):
        state['masks'] = ref.masks(vol, t, vs[0])  # an input of these items, not timed (as on our side)
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        run_once()
        seconds.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": seconds, "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "check": state.get('check', {})}))


if __name__ == "__main__":
    main()
