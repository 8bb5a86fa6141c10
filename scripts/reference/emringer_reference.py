"""Independent numpy/scipy EMRinger (Barad et al., Nat Methods 12:943, 2015; level1A-spec.md
section A.f), written from the published description, for cross-checking
analyzers/methods/emringer.ts and item A.f.

For each residue of a scanned type (first alternate location only) the gamma atom is rotated
about the CA->CB axis (Rodrigues' formula about CB) from the model's chi1 to chi1 = 0, 5, ..., 355
degrees, and the sigma-scaled map ((map - mean) / std over the box) is sampled there with
scipy.ndimage.map_coordinates(order=1). Peak = first angle of the maximum. Thresholds
t_j = a + j (M - a) / 20, j = 0..19 (a: mean of the residues' mean samples, M: highest peak);
n = peaks > t_j, r = rotameric among them (|angle - c| <= 30 for c in 60, 180, 300),
Z = (r - n p) / sqrt(n p (1 - p)), p = 39/72; score = 10 Zmax / sqrt(N). Rolling windows per
chain at the optimal threshold: scanned residues numbered centre +- 10.

usage: python3 emringer_reference.py MAP.f32 NX NY NZ VX VY VZ OX OY OZ MODEL.pdb
  MAP.f32: NX*NY*NZ little-endian float32, x fastest (array [z][y][x]); V* voxel size and O* the
  origin (Angstrom) of voxel (0, 0, 0)
prints JSON {residues: [[chain, resSeq, insCode, peakAngle, peakValue, meanValue]], rows:
[[t, n, r, z]], maxZ, score, optimalThreshold, rotamerRatio, scanned, rolling: {chain: [[centre, z]]},
seconds}.
"""
import json
import math
import sys
import time

import numpy as np
from scipy import ndimage

GAMMA = {'ARG': 'CG', 'ASN': 'CG', 'ASP': 'CG', 'CYS': 'SG', 'GLU': 'CG', 'GLN': 'CG', 'HIS': 'CG',
         'LEU': 'CG', 'LYS': 'CG', 'MET': 'CG', 'PHE': 'CG', 'SER': 'OG', 'TRP': 'CG', 'TYR': 'CG',
         'SEC': 'SE', 'PYL': 'CG', 'MSE': 'CG'}
P = 39.0 / 72.0


def read_pdb(path):
    """Scanned residues in order of appearance: key -> {name, atoms{N, CA, CB, gamma}} (first altloc)."""
    residues = {}
    order = []
    with open(path) as fh:
        for line in fh:
            rec = line[:6]
            if rec.startswith('ENDMDL'):
                break
            if rec not in ('ATOM  ', 'HETATM'):
                continue
            resname = line[17:20].strip()
            if resname not in GAMMA:
                continue
            name = line[12:16].strip()
            alt = line[16].strip()
            key = (line[21].strip(), int(line[22:26]), line[26].strip())
            res = residues.get(key)
            if res is None:
                res = {'name': resname, 'alt': None, 'atoms': {}}
                residues[key] = res
                order.append(key)
            if alt:
                if res['alt'] is None:
                    res['alt'] = alt
                elif alt != res['alt']:
                    continue
            if name in ('N', 'CA', 'CB', GAMMA[resname]) and name not in res['atoms']:
                # The analyzer stores coordinates as float32.
                res['atoms'][name] = np.array([np.float32(line[30:38]), np.float32(line[38:46]), np.float32(line[46:54])], dtype=np.float64)
    return [(k, residues[k]) for k in order]


def dihedral(a, b, c, d):
    b1, b2, b3 = b - a, c - b, d - c
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    # Blondel & Karplus (1996): IUPAC sign, clockwise positive looking along b -> c.
    return math.degrees(math.atan2(np.linalg.norm(b2) * np.dot(b1, n2), np.dot(n1, n2)))


def rotate(p, origin, axis, deg):
    """Rodrigues: p rotated by deg about the line through origin along unit axis (right hand)."""
    v = p - origin
    t = math.radians(deg)
    return origin + v * math.cos(t) + np.cross(axis, v) * math.sin(t) + axis * np.dot(axis, v) * (1 - math.cos(t))


def main():
    a = sys.argv[1:]
    nx, ny, nz = int(a[1]), int(a[2]), int(a[3])
    vox = np.array([float(a[4]), float(a[5]), float(a[6])])
    origin = np.array([float(a[7]), float(a[8]), float(a[9])])
    t0 = time.time()
    grid = np.fromfile(a[0], dtype='<f4').reshape(nz, ny, nx).astype(np.float64)
    grid = (grid - grid.mean()) / grid.std()
    angles = np.arange(72) * 5.0
    out = []
    for key, res in read_pdb(a[10]):
        at = res['atoms']
        g = GAMMA[res['name']]
        if not all(k in at for k in ('N', 'CA', 'CB', g)):
            continue
        n, ca, cb, gam = at['N'], at['CA'], at['CB'], at[g]
        axis = (cb - ca) / np.linalg.norm(cb - ca)
        chi = dihedral(n, ca, cb, gam)
        pts = np.array([rotate(gam, cb, axis, t - chi) for t in angles])
        # Self-check of the rotation sense: the rotated points have chi1 = the target angles.
        back = np.array([dihedral(n, ca, cb, q) % 360 for q in pts])
        assert np.all(np.abs((back - angles + 180) % 360 - 180) < 1e-6), 'rotation sense'
        idx = (pts - origin) / vox
        vals = ndimage.map_coordinates(grid, [idx[:, 2], idx[:, 1], idx[:, 0]], order=1, mode='constant', cval=np.nan, prefilter=False)
        if not np.all(np.isfinite(vals)):
            continue
        k = int(np.argmax(vals))
        out.append((key, k * 5, float(vals[k]), float(vals.mean())))
    N = len(out)
    peaks = np.array([o[2] for o in out])
    means = np.array([o[3] for o in out])
    ang = np.array([o[1] for o in out])
    rot = (np.abs(ang - 60) <= 30) | (np.abs(ang - 180) <= 30) | (np.abs(ang - 300) <= 30)
    lo, hi = means.mean(), peaks.max()
    rows = []
    for j in range(20):
        t = lo + j * (hi - lo) / 20
        above = peaks > t
        n = int(above.sum())
        r = int((above & rot).sum())
        z = (r - n * P) / math.sqrt(n * P * (1 - P)) if n > 0 else None
        rows.append([t, n, r, z])
    best = max((j for j in range(20) if rows[j][3] is not None), key=lambda j: (rows[j][3], -j))
    t_opt = rows[best][0]
    rolling = {}
    chains = {}
    for i, o in enumerate(out):
        chains.setdefault(o[0][0], []).append(i)
    for ch, idxs in chains.items():
        nums = np.array([out[i][0][1] for i in idxs])
        pk = peaks[idxs]
        rt = rot[idxs]
        prof = []
        for c in sorted(set(nums.tolist())):
            for _ in range(int((nums == c).sum())):
                win = (nums >= c - 10) & (nums <= c + 10) & (pk > t_opt)
                n = int(win.sum())
                r = int((win & rt).sum())
                prof.append([int(c), (r - n * P) / math.sqrt(n * P * (1 - P)) if n > 0 else None])
        rolling[ch] = prof
    print(json.dumps({
        'residues': [[o[0][0], o[0][1], o[0][2], o[1], o[2], o[3]] for o in out],
        'rows': rows,
        'maxZ': rows[best][3],
        'score': 10 * rows[best][3] / math.sqrt(N),
        'optimalThreshold': t_opt,
        'rotamerRatio': rows[best][2] / rows[best][1],
        'scanned': N,
        'rolling': rolling,
        'seconds': time.time() - t0,
    }))


if __name__ == '__main__':
    main()
