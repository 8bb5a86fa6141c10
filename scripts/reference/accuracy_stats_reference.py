"""scipy.stats.spearmanr and numpy quantiles of absolute errors, for checking
scripts/accuracy/statistics.ts.

usage: python3 accuracy_stats_reference.py A.f64 B.f64
  A.f64, B.f64 : little-endian float64 arrays of equal length (A: the errors, and B the second
                 variable of the rank correlation)
prints JSON {spearman, medianAbsError, p95AbsError, bias} (A's errors; Spearman of A and B,
average ranks for ties).
"""
import json
import sys

import numpy as np
from scipy import stats


def main():
    a = np.fromfile(sys.argv[1], dtype='<f8')
    b = np.fromfile(sys.argv[2], dtype='<f8')
    rho = stats.spearmanr(a, b).statistic
    abs_a = np.abs(a)
    print(json.dumps({
        'spearman': float(rho),
        'medianAbsError': float(np.quantile(abs_a, 0.5)),
        'p95AbsError': float(np.quantile(abs_a, 0.95)),
        'bias': float(np.mean(a)),
    }))


if __name__ == '__main__':
    main()
