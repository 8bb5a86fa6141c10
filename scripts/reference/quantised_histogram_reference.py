"""Histogram with bins aligned to the quantisation of the values, with numpy, for checking
analyzers/methods/quantised-histogram.ts.

usage: python3 quantised_histogram_reference.py VALUES.f64 BINS [LO HI]
  VALUES.f64 : little-endian float64 values (finite)
  BINS       : about how many bins; LO HI: the range (default: min, max)
prints JSON {step: s or null, edges: [...], counts: [...]}.

The grid: distinct values (closer than 1e-5 of the span count as one, each cluster named by its
first value), the most frequent as origin, and the smallest of the 16 smallest gap sizes between
distinct values that puts 99 % of the values on origin + j * gap (within 1e-3 of a step). Bins
are round(width / step) steps wide, edges half a step from the grid values; without a grid,
numpy.histogram's equal bins. Failing a grid, values piled on uneven levels (distinct values with
>= 1 % of the values each, >= 20 % together) give the smallest spacing of the levels as the step.
"""
import json
import math
import sys

import numpy as np


def grid_of(values):
    v = np.sort(values)
    if len(v) < 2 or not v[-1] - v[0] > 0:
        return None
    same = 1e-5 * (v[-1] - v[0])
    distinct, counts = [v[0]], [1]
    for x in v[1:]:
        if x - distinct[-1] > same:
            distinct.append(x)
            counts.append(1)
        else:
            counts[-1] += 1
    if len(distinct) < 2:
        return None
    distinct, counts = np.array(distinct), np.array(counts)
    origin = distinct[np.argmax(counts)]
    tried = []
    for step in np.sort(np.diff(distinct)):
        if len(tried) >= 16:
            break
        if any(abs(step - t) <= 1e-3 * t for t in tried):
            continue
        tried.append(step)
        j = (distinct - origin) / step
        if counts[np.abs(j - np.round(j)) <= 1e-3].sum() >= 0.99 * len(v):
            return float(step), float(origin)
    # Uneven levels: distinct values holding >= 1 % each, >= 20 % together; their smallest spacing.
    levels = distinct[counts >= 0.01 * len(v)]
    if len(levels) >= 2 and counts[counts >= 0.01 * len(v)].sum() >= 0.2 * len(v):
        return float(np.min(np.diff(levels))), float(origin)
    return None


def main():
    values = np.fromfile(sys.argv[1], dtype='<f8')
    bins = int(sys.argv[2])
    lo, hi = (float(sys.argv[3]), float(sys.argv[4])) if len(sys.argv) > 4 else (values.min(), values.max())
    grid = grid_of(values)
    step = None if grid is None else grid[0]
    if grid is None:
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    else:
        origin = grid[1]
        width = max(1, round((hi - lo) / bins / step)) * step
        first = origin + (round((lo - origin) / step) - 0.5) * step
        top = origin + (round((hi - origin) / step) + 0.5) * step
        n = max(1, math.ceil((top - first) / width - 1e-9))
        edges = first + np.arange(n + 1) * width
        counts, edges = np.histogram(values, bins=edges)
    print(json.dumps({'step': step, 'edges': np.asarray(edges).tolist(), 'counts': np.asarray(counts).tolist()}))


if __name__ == '__main__':
    main()
