"""Independent reference for analyzers/figures/viewer-volumes.ts (numpy + mrcfile).

Usage: viewer_volumes_reference.py MAP.mrc STEP LEVEL
Prints JSON: the block means of the map over STEP^3 blocks (NaN-padded at the far edges, mean of
the finite voxels: numpy.nanmean), flattened x fastest, and the level of the block-mean map that
encloses the same fraction of the box as LEVEL does in the map.
"""
import json
import sys
import warnings

import mrcfile
import numpy as np

path, step, level = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with mrcfile.open(path, permissive=True) as m:
    data = np.asarray(m.data, dtype=np.float64)  # indexed [z][y][x]
nz, ny, nx = data.shape
cz, cy, cx = -(-nz // step), -(-ny // step), -(-nx // step)
padded = np.full((cz * step, cy * step, cx * step), np.nan)
padded[:nz, :ny, :nx] = data
blocks = padded.reshape(cz, step, cy, step, cx, step)
with warnings.catch_warnings():
    warnings.simplefilter('ignore', RuntimeWarning)  # all-NaN blocks stay NaN
    coarse = np.nanmean(blocks, axis=(1, 3, 5))
coarse32 = coarse.astype(np.float32)
n = int(np.count_nonzero(data >= level))
m_count = int(np.floor(n * coarse32.size / data.size + 0.5))
finite = np.sort(coarse32[np.isfinite(coarse32)])
m_count = min(finite.size, max(1, m_count))
matched = float(finite[finite.size - m_count])
print(json.dumps({'dims': [cx, cy, cz], 'coarse': [None if not np.isfinite(v) else float(v) for v in coarse32.ravel()], 'level': matched}))
