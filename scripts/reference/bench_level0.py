"""The numpy/scipy/mrcfile equivalent of one `npm run bench` step, timed in-process.

usage: python3 bench_level0.py --step S --map MAP --threshold T --resolution R|none --work DIR [--runs N]
Same line protocol as scripts/bench/bench-step.ts (JSON per stdout line): prepares the inputs and
prints {"ready": true}; one timed run per "run" line on stdin, printing {"seconds", "cpuSeconds"};
on "end" the checks, then {"done": true, "peakRssMB", "check", "versions"}. With --runs N it does
N runs by itself instead of reading stdin.

Each step computes what emvr's step computes, by the same definitions (level0-spec.md; the masks,
0.a, 0.b and 0.c come from level0_reference.py), written the way a numpy/scipy user would:
float32 data, scipy.fft with workers=2 (both cores, as emvr's FFT pool), scipy.ndimage.
The half-map rows (fsc-pair, fdr-fsc, 1.c, conical-fsc) run the independent references
fsc_reference.py (full-grid numpy fftn, float64), fdr_fsc_reference.py (numpy rfftn, float64, the
same caps as ours), local_fsc_reference.py (numpy fftn of each half per node, float64; on the
subset of nodes our side wrote, its time scaled to all nodes) and conical_fsc_reference.py
(full-grid fftn, float64; the soft mask and the direction sets our side wrote) on the pair that our
side simulated from the map and wrote to DIR.
Inputs a step starts from (the map, its masks, the resized map of 0.f/0.g, the FFT input, the half
maps) are prepared before the clock starts, as on our side. After the timed runs and after reading this
process's peak RSS, steps with an array result compare it with ours, written by
scripts/bench/bench-step.ts into DIR (`<step>.ours.f32`, raw float32 in numpy C order [z][y][x]):
the check then holds maxRelErr = max|ours − this| / max|this| (0.f: relative to max(|B|, 10) per
voxel, inside the mask; 0.g: flipFraction, the share of mask voxels whose occupancy differs).
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import mrcfile
import numpy as np
import scipy
import scipy.fft
from scipy import ndimage

import conical_fsc_reference
import fdr_fsc_reference
import fsc_reference
import local_fsc_reference
import model_fit_reference
import qscore_reference
import level0_reference as ref

WORKERS = 2
GAUSSIAN_SIGMA = 2.0  # voxels, as bench-step.ts
SOFT_SIGMA = 2.0      # soft-mask multiplier exp(-pi^2 sigma^2 |w|^2), level0-spec.md 2.3
MIN_RES = 15.0        # 0.f / 0.g sweep start (Å)
NUM_POINTS = 10       # 0.f shells
NOISE_Q = 0.9         # 0.f background quantile
PROTEIN_Q = 0.25      # 0.g in-mask quantile
WIDTH = 4.8           # shell width in Fourier voxels


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu():
    """User + system CPU seconds of this process, all its threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def ours(work, name, dtype=np.float32):
    return np.fromfile(os.path.join(work, name), dtype=dtype)


def max_rel_err(a, b):
    """max |a - b| / max |b| (float64)."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    ref_ = np.abs(b).max()
    return float(np.abs(a - b).max() / ref_) if ref_ > 0 else float(np.abs(a - b).max())


def half_freq2(shape):
    """Digital frequency² per axis of the half-complex grid of an array [z][y][x]."""
    nz, ny, nx = shape
    return (np.fft.fftfreq(nz) ** 2).astype(np.float32), (np.fft.fftfreq(ny) ** 2).astype(np.float32), \
        (np.fft.rfftfreq(nx) ** 2).astype(np.float32)


def soft_mask(hard):
    """Hard mask times exp(-pi^2 sigma^2 |w|^2) in Fourier space, negatives clipped (masks.ts)."""
    F = scipy.fft.rfftn(hard.astype(np.float32), workers=WORKERS)
    gz, gy, gx = half_freq2(hard.shape)
    k = np.float32(math.pi ** 2 * SOFT_SIGMA ** 2)
    F *= np.exp(-k * gz)[:, None, None]
    F *= np.exp(-k * gy)[None, :, None]
    F *= np.exp(-k * gx)[None, None, :]
    soft = scipy.fft.irfftn(F, s=hard.shape, workers=WORKERS)
    np.maximum(soft, 0, out=soft)
    return soft


def radial_amplitudes(F, shape):
    """Sums and counts of |F|/N in shells round(|w| nx), |w|^2 <= 1/4 (0d-bfactor-analysis.ts)."""
    nz, ny, nx = shape
    gz, gy, gx = half_freq2(shape)
    w2 = gz[:, None, None] + gy[None, :, None] + gx[None, None, :]
    k = np.rint(np.sqrt(w2) * nx).astype(np.int32)
    sel = (w2 <= 0.25) & (k < nx)
    amp = np.abs(F[sel]).astype(np.float64) / (nx * ny * nz)
    return np.bincount(k[sel], weights=amp, minlength=nx), np.bincount(k[sel], minlength=nx)


def guinier_fit(sums, counts, nx, ts, res):
    xs, ys = [], []
    for kk in range(1, nx):
        d = nx * ts / kk
        if res <= d <= MIN_RES and sums[kk] > 0:
            xs.append(1 / d ** 2)
            ys.append(math.log(sums[kk] / counts[kk]))
    if len(xs) < 2:
        return None
    a, _ = np.polyfit(xs, ys, 1)
    return 4 * a


def bfactor(vol, vs, res):
    """0.d: Guinier B between 15 Å and res, then the corrected map (exp(-B R^2/4) for R <= 1/res)."""
    F = scipy.fft.rfftn(vol, workers=WORKERS)
    sums, counts = radial_amplitudes(F, vol.shape)
    B = guinier_fit(sums, counts, vol.shape[2], vs[0], res)
    if B is None:
        return None, None
    nz, ny, nx = vol.shape
    rz = (np.fft.fftfreq(nz) / vs[2]) ** 2
    ry = (np.fft.fftfreq(ny) / vs[1]) ** 2
    rx = (np.fft.rfftfreq(nx) / vs[0]) ** 2
    R2 = (rz[:, None, None] + ry[None, :, None] + rx[None, None, :]).astype(np.float32)
    F *= np.where(R2 <= 1 / res ** 2, np.exp(np.float32(-0.25 * B) * R2), np.float32(1))
    radial_amplitudes(F, vol.shape)  # the corrected Guinier curve (ours draws it)
    return B, scipy.fft.irfftn(F, s=vol.shape, workers=WORKERS)


class Spiral:
    """Spiral (Riesz) amplitude in normalised Gaussian shells of the full-grid spectrum
    (spiral-amplitude.ts; locbfactor_reference.py): A_f = sqrt(|v0|^2 + sum_k |v_k|^2),
    v0 = ifftn(S F), v_k = ifftn(-i f_k/rho S F). The factor -i does not change |v_k|, so the
    real multiplier f_k/rho is used."""

    def __init__(self, vol, ts):
        n = vol.shape[0]
        self.F = scipy.fft.fftn(vol, workers=WORKERS)  # complex64
        f = np.fft.fftfreq(n, d=ts).astype(np.float32)
        self.fz, self.fy, self.fx = f[:, None, None], f[None, :, None], f[None, None, :]
        self.rho = np.sqrt(self.fz ** 2 + self.fy ** 2 + self.fx ** 2)
        with np.errstate(divide='ignore'):
            self.inv = np.where(self.rho > 0, 1 / self.rho, 0).astype(np.float32)
        self.delta = WIDTH / (n * ts)

    def amplitude(self, freq):
        shell = np.exp(-((self.rho - np.float32(freq)) ** 2) / np.float32(2 * self.delta ** 2))
        shell /= np.float32(shell.sum(dtype=np.float64))
        g = self.F * shell
        v = scipy.fft.ifftn(g, workers=WORKERS)
        power = v.real ** 2 + v.imag ** 2
        for fk in (self.fx, self.fy, self.fz):
            v = scipy.fft.ifftn(g * (fk * self.inv), workers=WORKERS)
            power += v.real ** 2 + v.imag ** 2
        return np.sqrt(power)


def local_bfactor(vol, inside, ts, res):
    """0.f (0f-local-bfactor.ts): per-voxel slope of ln(A^2/(A + q_j)) against f_j^2, times 4."""
    n = vol.shape[0]
    sp = Spiral(vol, ts)
    c = np.arange(n) - n / 2
    bg = (~inside) & ((c[:, None, None] ** 2 + c[None, :, None] ** 2 + c[None, None, :] ** 2) < (n / 2) ** 2)
    freqs = np.linspace(1 / MIN_RES, 1 / res, NUM_POINTS)
    x = freqs ** 2
    w = x - x.mean()
    acc = np.zeros(vol.shape)
    noise = []
    with np.errstate(divide='ignore', invalid='ignore'):
        for j, fr in enumerate(freqs):
            a = sp.amplitude(fr)
            q = float(np.quantile(a[bg], NOISE_Q))
            noise.append(q)
            acc += w[j] * np.log(a * a / (a + np.float32(q)))
    return (acc * (4 / (w * w).sum())).astype(np.float32), noise


def local_occupancy(vol, inside, ts, res):
    """0.g (0g-local-occupancy.ts): share of m shells where A >= the in-mask 25th percentile."""
    sp = Spiral(vol, ts)
    m = max(1, int((1 / res - 1 / MIN_RES) / sp.delta))
    count = np.zeros(vol.shape, np.uint16)
    levels = []
    for fr in np.linspace(1 / MIN_RES, 1 / res, m):
        a = sp.amplitude(fr)
        q = float(np.quantile(a[inside], PROTEIN_Q))
        levels.append(q)
        count += a >= q
    return (count / np.float32(m)).astype(np.float32), levels


def percentiles(values):
    p = np.quantile(values.astype(np.float64), [0.025, 0.25, 0.5, 0.75, 0.975])
    return dict(zip(('p2_5', 'p25', 'p50', 'p75', 'p97_5'), (float(v) for v in p)))


def main():
    ap = argparse.ArgumentParser()
    for name in ('step', 'map', 'threshold', 'resolution', 'runs', 'work'):
        ap.add_argument('--' + name)
    a = ap.parse_args()
    step, path, work = a.step, a.map, a.work
    t = float(a.threshold) if a.threshold is not None else float('nan')
    res = None if a.resolution in (None, 'none') else float(a.resolution)
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                "mrcfile": getattr(mrcfile, '__version__', '?')}

    def send(obj):
        print(json.dumps(obj), flush=True)

    if res is None and step in ('0.d', '0.f', '0.g'):
        send({"ready": True})
        for line in sys.stdin if a.runs is None else []:
            if line.strip() == 'end':
                break
            send({"skipped": True})
        send({"done": True, "peakRssMB": peak_mib(), "check": {"notApplicable": "no resolution given"}, "versions": versions})
        return

    # scipy.fft's thread pool and plan cache, before the clock (ours starts its FFT workers alike).
    scipy.fft.rfftn(np.zeros((64, 64, 64), np.float32), workers=WORKERS)
    # Inputs, before the clock.
    vol = vs = None
    state = {}
    if step in ('read', 'hard-mask', 'soft-mask', '0.a', '0.b', '0.c', '0.d', 'gaussian'):
        vol, vs = ref.load(path)
    if step in ('soft-mask', '0.a', '0.b', '0.c'):
        state['masks'] = ref.masks(vol, t, vs[0])
    if step in ('fft256', 'fft432'):
        n = 256 if step == 'fft256' else 432
        state['in'] = ours(work, step + '.in.f32').reshape(n, n, n)
        scipy.fft.irfftn(scipy.fft.rfftn(state['in'], workers=WORKERS), s=state['in'].shape, workers=WORKERS)  # warm-up, as ours
    if step in ('fsc-pair', 'fdr-fsc', '1.c', 'conical-fsc'):
        meta = json.load(open(os.path.join(work, 'halves.json')))
        shape = tuple(meta['dims'][::-1])
        state['h1'] = ours(work, 'half1.f32').reshape(shape)
        state['h2'] = ours(work, 'half2.f32').reshape(shape)
        state['ts'] = meta['voxelSize'][0]
    if step == '1.c':
        lf = json.load(open(os.path.join(work, 'local-fsc.json')))
        state['lf'] = lf
        state['nodes'] = ours(work, 'local-fsc-nodes.i32', np.int32).reshape(-1, 3)
        state['win'] = local_fsc_reference.window(lf['box'])
        state['shell'] = local_fsc_reference.shells(lf['box'])
    if step == 'conical-fsc':
        state['mask'] = ours(work, 'conical-mask.f32').reshape(state['h1'].shape)
        state['cones'] = [(ours(work, 'conical-fso.f64', np.float64).reshape(-1, 3), 'fso', 17.0),
                          (ours(work, 'conical-fsc3d.f64', np.float64).reshape(-1, 3), 'hard', 20.0)]
    if step == 'q-score':
        vol, vs = ref.load(path)
        meta = json.load(open(os.path.join(work, 'q-score.json')))
        state['atoms'] = ours(work, 'q-score.atoms.f64', np.float64).reshape(-1, 3)
        state['origin'] = np.array(meta['origin'], np.float64)
        state['voxel'] = np.array(meta['voxelSize'], np.float64)
    if step in ('0.f', '0.g'):
        meta = json.load(open(os.path.join(work, 'resized.json')))
        n = meta['n']
        state['r'] = ours(work, 'resized.f32').reshape(n, n, n)
        state['inside'] = ours(work, 'resized-mask.u8', np.uint8).reshape(n, n, n) != 0
        state['ts'] = meta['voxelSize']

    if step == 'model-fit':
        mf = json.load(open(os.path.join(work, 'model-fit.json')))
        n = mf['n']
        state['mf'] = mf
        state['a'] = ours(work, 'model-fit-map.f32').reshape(n, n, n)
        state['atoms'] = ours(work, 'model-fit-atoms.f64', np.float64).reshape(-1, 14)
        state['residue'] = ours(work, 'model-fit-residue.i32', np.int32)
        state['backbone'] = ours(work, 'model-fit-backbone.u8', np.uint8)

    def run_once():
        """The timed part; returns the check when it is a few numbers, else None (done at 'end')."""
        if step == 'read':
            state['out'], _ = ref.load(path)
            return None
        if step == 'hard-mask':
            raw, labels, n, sizes, hard = ref.masks(vol, t, vs[0])
            return {"components": int(n), "hardVoxels": int(hard.sum())}
        if step == 'soft-mask':
            state['out'] = soft_mask(state['masks'][4])
            return None
        if step in ('0.a', '0.b', '0.c'):
            raw, labels, n, sizes, hard = state['masks']
            if step == '0.a':
                r = ref.mass(vol, hard, vs)
                return {"decentering": r["decentering"], "centerOfMass": r["centerOfMass"]}
            if step == '0.b':
                r = ref.mask_item(vol, raw, n, sizes, hard, vs, t)
                return {"components95": r["components95"], "overlap": r["overlap"],
                        "tableVoxels": [row[1] for row in r["thresholdTable"]]}
            r = ref.background(vol, hard)
            return {"masked": True} if r.get("masked") else {"t": r["t"], "outlierRatio": r["outlierRatio"]}
        if step == '0.d':
            B, state['out'] = bfactor(vol, vs, res)
            return {"bFactor": B}
        if step in ('fft256', 'fft432'):
            x = state['in']
            F = scipy.fft.rfftn(x, workers=WORKERS)
            state['out'] = scipy.fft.irfftn(F, s=x.shape, workers=WORKERS)
            state['spec'] = F
            return None
        if step == 'gaussian':
            state['out'] = ndimage.gaussian_filter(vol, GAUSSIAN_SIGMA, mode='wrap')
            return None
        if step == 'fsc-pair':
            c = fsc_reference.fsc_curve(state['h1'], state['h2'], state['ts'])
            return {"voxels": c['voxels'], "fsc": c['fsc']}
        if step == 'fdr-fsc':
            r, _ = fdr_fsc_reference.fdr_fsc(state['h1'], state['h2'], state['ts'])
            return {"resolution": r['resolution'], "coefficients": r['coefficients'], "samples": r['samples'],
                    "fsc": r['fsc'], "significantShells": int(sum(r['significant'])),
                    "permutations": int(sum(r['permutations']))}
        if step == '1.c':
            lf, box = state['lf'], state['lf']['box']
            res = []
            for x0, y0, z0 in state['nodes']:
                fsc = local_fsc_reference.local_fsc(state['h1'], state['h2'], int(x0), int(y0), int(z0), box, state['win'], state['shell'])
                res.append(local_fsc_reference.crossing(fsc, lf['cutoff'], box, state['ts']))
            return {"resolution": res}
        if step == 'conical-fsc':
            r = conical_fsc_reference.conical_fsc(state['h1'], state['h2'], state['mask'], state['ts'], state['cones'])
            state['out'] = np.concatenate([f.ravel() for f in r['fsc']])
            return {"globalFsc": r['globalFsc'], "directions": [len(c[0]) for c in state['cones']],
                    "emptyCones": int(np.isnan(state['out']).sum())}
        if step == 'q-score':
            q = qscore_reference.qscores(vol, state['origin'], state['voxel'], state['atoms'])
            return {"atoms": int(len(q)), "averageQ": float(np.nanmean(q))}
        if step == '0.f':
            state['out'], noise = local_bfactor(state['r'], state['inside'], state['ts'], res)
            return {"noise": noise, **percentiles(state['out'][state['inside']])}
        if step == '0.g':
            state['out'], levels = local_occupancy(state['r'], state['inside'], state['ts'], res)
            return {"levels": levels, **percentiles(state['out'][state['inside']])}
        if step == 'model-fit':
            mf = state['mf']
            state['out'], parts, c = model_fit_reference.model_fit(state['a'], state['atoms'], state['residue'], state['backbone'],
                                                                np.asarray(mf['origin']), mf['voxel'], mf['resolution'])
            state['residueCc'] = model_fit_reference.sums_cc(*parts)
            return {"atoms": len(state['atoms']), "status": "aligned", **c}
        raise SystemExit(f"unknown step {step}")

    # 1.c computes a subset of the nodes: its times are scaled to all of them.
    scale = state['lf']['scale'] if step == '1.c' else 1

    def timed_run():
        t0, c0 = time.perf_counter(), cpu()
        state['check'] = run_once()
        send({"seconds": scale * (time.perf_counter() - t0), "cpuSeconds": scale * (cpu() - c0)})

    send({"ready": True})
    if a.runs is not None:
        for _ in range(max(1, int(a.runs))):
            timed_run()
    else:
        for line in sys.stdin:
            if line.strip() == 'end':
                break
            if line.strip() == 'run':
                timed_run()
    peak = peak_mib()
    check = state.get('check') or {}

    # Checks over whole arrays, outside the clock (as on our side).
    if step == 'read':
        check = {"dims": list(state['out'].shape[::-1]), "sum": float(state['out'].sum(dtype=np.float64))}
    if step in ('soft-mask', 'gaussian'):
        check = {"sum": float(state['out'].sum(dtype=np.float64))}
    if step in ('fft256', 'fft432'):
        check = {"roundTripErr": max_rel_err(state['out'], state['in'])}

    # Compare whole arrays with ours, which the driver had written before sending 'end' here.
    if step in ('soft-mask', 'gaussian') or (step == '0.d' and state.get('out') is not None):
        check["maxRelErr"] = max_rel_err(ours(work, step + '.ours.f32'), state['out'])
    if step in ('fft256', 'fft432'):
        spec = ours(work, step + '.spec.ours.f32').view(np.complex64)
        theirs = state['spec'].ravel()
        check["maxRelErr"] = float(np.abs(spec - theirs).max() / np.abs(theirs).max())
        check["maxRelErrInverse"] = max_rel_err(ours(work, step + '.back.ours.f32'), state['out'])
    if step == '1.c':
        check["maxAbsErrA"] = float(np.max(np.abs(ours(work, '1.c.ours.f32').astype(np.float64) - np.asarray(check['resolution']))))
        check["subsetNodes"] = len(check['resolution'])
    if step == 'conical-fsc':
        mine = ours(work, 'conical.ours.f64', np.float64)
        both = np.isfinite(mine) & np.isfinite(state['out'])
        check["maxAbsErr"] = float(np.abs(mine[both] - state['out'][both]).max())
    if step == 'model-fit':
        check["maxRelErr"] = max_rel_err(ours(work, 'model-fit.ours.f32'), state['out'])
        mine, theirs = ours(work, 'model-fit-residue-cc.ours.f64', np.float64), state['residueCc']
        both = np.isfinite(mine) & np.isfinite(theirs)
        check["residueCcMaxAbsErr"] = float(np.abs(mine[both] - theirs[both]).max())
        check["residueCcUndefinedDiffer"] = int(np.sum(np.isfinite(mine) != np.isfinite(theirs)))
    if step == '0.f':
        inside = state['inside'].ravel()
        theirs = state['out'].ravel()[inside].astype(np.float64)
        mine = ours(work, '0.f.ours.f32')[inside].astype(np.float64)
        check["maxRelErr"] = float(np.max(np.abs(mine - theirs) / np.maximum(np.abs(theirs), 10)))
    if step == '0.g':
        inside = state['inside'].ravel()
        check["flipFraction"] = float(np.mean(ours(work, '0.g.ours.f32')[inside] != state['out'].ravel()[inside]))
    send({"done": True, "peakRssMB": peak, "check": check, "versions": versions})


if __name__ == "__main__":
    main()
