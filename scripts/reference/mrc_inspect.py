"""Independent reference for `emvr inspect`: reads a map with mrcfile (Debian python3-mrcfile),
reorders the axes to x fastest with numpy, prints the header facts and statistics as JSON and
writes the reordered voxels as little-endian float32 to OUT_RAW (if given).

usage: python3 mrc_inspect.py MAP [OUT_RAW]
"""
import json
import sys

import mrcfile
import numpy as np


def main():
    path = sys.argv[1]
    out_raw = sys.argv[2] if len(sys.argv) > 2 else None
    with mrcfile.open(path, permissive=True) as m:
        h = m.header
        data = np.asarray(m.data)
        axes = [int(h.mapc), int(h.mapr), int(h.maps)]
        # data is indexed [section][row][column]; column runs along axis mapc, etc.
        file_axis = [axes[2], axes[1], axes[0]]
        order = [file_axis.index(a) for a in (3, 2, 1)]
        vol = np.transpose(data, order).astype(np.float32)
        vs = m.voxel_size
        voxel = [float(vs.x), float(vs.y), float(vs.z)]
        starts_file = [int(h.nxstart), int(h.nystart), int(h.nzstart)]
        nstart = [starts_file[axes.index(a)] for a in (1, 2, 3)]
        origin_field = [float(h.origin.x), float(h.origin.y), float(h.origin.z)]
        origin = [origin_field[i] + nstart[i] * voxel[i] for i in range(3)]
        finite = vol[np.isfinite(vol)].astype(np.float64)
        result = {
            "header": {
                "nx": int(h.nx), "ny": int(h.ny), "nz": int(h.nz), "mode": int(h.mode),
                "nxstart": int(h.nxstart), "nystart": int(h.nystart), "nzstart": int(h.nzstart),
                "mx": int(h.mx), "my": int(h.my), "mz": int(h.mz),
                "cella": [float(h.cella.x), float(h.cella.y), float(h.cella.z)],
                "cellb": [float(h.cellb.alpha), float(h.cellb.beta), float(h.cellb.gamma)],
                "mapc": int(h.mapc), "mapr": int(h.mapr), "maps": int(h.maps),
                "dmin": float(h.dmin), "dmax": float(h.dmax), "dmean": float(h.dmean),
                "ispg": int(h.ispg), "nsymbt": int(h.nsymbt), "nversion": int(h.nversion),
                "origin": origin_field, "rms": float(h.rms), "nlabl": int(h.nlabl),
                "machst": [int(b) for b in bytes(h.machst)],
            },
            "dims": [int(vol.shape[2]), int(vol.shape[1]), int(vol.shape[0])],
            "voxelSize": voxel,
            "origin": origin,
            "stats": {
                "min": float(finite.min()), "max": float(finite.max()),
                "mean": float(finite.mean()), "std": float(finite.std()),
            },
            "nanCount": int(np.isnan(vol).sum()),
        }
        if out_raw:
            np.ascontiguousarray(vol).astype("<f4").tofile(out_raw)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
