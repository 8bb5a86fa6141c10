"""numpy.quantile (method 'linear') and numpy.histogram of a float64 binary file, for checking
analyzers/methods/order-statistics.ts.

usage: python3 quantiles_reference.py VALUES.f64 QS BINS [LO HI]
  VALUES.f64 : little-endian float64 values
  QS         : comma-separated quantile levels in [0, 1]
  BINS       : number of equal-width bins; LO HI: histogram range (default: min, max)
prints JSON {quantiles: [...], edges: [...], counts: [...]}.
"""
import json
import sys

import numpy as np


def main():
    values = np.fromfile(sys.argv[1], dtype='<f8')
    qs = [float(q) for q in sys.argv[2].split(',')]
    bins = int(sys.argv[3])
    rng = (float(sys.argv[4]), float(sys.argv[5])) if len(sys.argv) > 5 else None
    quantiles = [float(np.quantile(values, q)) for q in qs]
    counts, edges = np.histogram(values, bins=bins, range=rng)
    print(json.dumps({'quantiles': quantiles, 'edges': edges.tolist(), 'counts': counts.tolist()}))


if __name__ == '__main__':
    main()
