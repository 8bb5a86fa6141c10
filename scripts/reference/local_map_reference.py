"""Independent check of a local-value map download (maps/<stem>.mrc.gz): opens it with mrcfile
(which sniffs gzip from the bytes), and compares it with the exact values written as a plain
float32 MRC. Prints JSON: mode, shape (z, y, x), NaN count, the largest relative error of the
finite voxels, whether every non-finite voxel of the download is NaN where the exact map has a
value outside the mask (given as a third uint8 MRC, 1 = inside), and the header statistics
against numpy's nan-skipping ones.

usage: local_map_reference.py download.mrc.gz exact.mrc mask.mrc
"""
import json
import sys

import mrcfile
import numpy as np

with mrcfile.open(sys.argv[1], permissive=False) as m:
    got = np.array(m.data, dtype=np.float64)
    mode = int(m.header.mode)
    header = {k: float(m.header[k]) for k in ('dmin', 'dmax', 'dmean', 'rms')}
    gz = type(m).__name__
with mrcfile.open(sys.argv[2]) as m:
    exact = np.array(m.data, dtype=np.float64)
with mrcfile.open(sys.argv[3]) as m:
    inside = np.array(m.data) > 0

keep = inside & np.isfinite(exact)
rel = np.abs(got[keep] - exact[keep]) / np.maximum(np.abs(exact[keep]), np.finfo(np.float32).tiny)
print(json.dumps({
    'reader': gz,
    'mode': mode,
    'shape': list(got.shape),
    'nan': int(np.isnan(got).sum()),
    'nanOutsideOnly': bool(np.all(np.isnan(got[~inside])) and not np.any(np.isnan(got[keep]))),
    'maxRelErr': float(rel.max()) if rel.size else 0.0,
    'header': header,
    'numpy': {'dmin': float(np.nanmin(got)), 'dmax': float(np.nanmax(got)), 'dmean': float(np.nanmean(got)), 'rms': float(np.nanstd(got))},
}))
