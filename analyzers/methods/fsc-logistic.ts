/**
 * The logistic fit of an FSC curve (level1A-spec.md §1.a): FSC(f) ≈ 1 − (a/(1 + exp(−b(f − f0))) + c),
 * least squares (Levenberg–Marquardt, ml-levenberg-marquardt), and f90, the frequency where the fitted curve falls to 0.9
 * (how far the FSC stays near 1: a smooth summary that does not depend on one noisy shell).
 *
 * VRS starts scipy's curve_fit from (a, b, f0, c) = (1, 1, f_0.5, 0) with f in Å⁻¹; b = 1 Å makes
 * the logistic almost flat over 0…0.5 Å⁻¹ and the fit then depends on the optimiser finding its
 * way. We start from b = 10/f_0.5 (a fall-off about a tenth of f_0.5 wide), which is where the fit
 * ends on FSC curves anyway, and only fit when the FSC crosses 0.5 (VRS crashes otherwise).
 */

import { levenbergMarquardt } from 'ml-levenberg-marquardt';

export interface LogisticFit {
  readonly a: number;
  readonly b: number;
  readonly f0: number;
  readonly c: number;
  /** Root-mean-square residual of the fit. */
  readonly rms: number;
  /** Frequency (Å⁻¹) where the fitted curve falls to 0.9; null when it never is above 0.9 over the fitted range or never falls to it. */
  readonly f90: number | null;
}

/** The fitted curve at f. */
export function logisticFsc(p: Pick<LogisticFit, 'a' | 'b' | 'f0' | 'c'>, f: number): number {
  return 1 - (p.a / (1 + Math.exp(-p.b * (f - p.f0))) + p.c);
}

/**
 * Fits the logistic to (frequency, fsc) starting from the 0.5 crossing `f05` (ml-levenberg-marquardt
 * with the analytic Jacobian); null when the fit does not end on finite parameters with b > 0.
 */
export function fitFscLogistic(frequency: ArrayLike<number>, fsc: ArrayLike<number>, f05: number): LogisticFit | null {
  const model = ([a, b, f0, c]: number[]) => (f: number) => 1 - (a / (1 + Math.exp(-b * (f - f0))) + c);
  // ∂/∂(a, b, f0, c) of 1 − (a·s + c), s = 1/(1 + e), e = exp(−b(f − f0)): ∂s/∂b = s²e(f − f0), ∂s/∂f0 = −s²e·b.
  const jacobian = ([a, b, f0]: number[]) => (f: number) => {
    const e = Math.exp(-b * (f - f0));
    const s = 1 / (1 + e);
    return [-s, -a * s * s * e * (f - f0), a * s * s * e * b, -1];
  };
  let fit;
  try {
    fit = levenbergMarquardt({ x: frequency, y: fsc }, model, {
      initialValues: [1, 10 / f05, f05, 0],
      jacobianFunction: jacobian,
      maxIterations: 300,
      errorTolerance: 1e-10,
    });
  } catch {
    return null;
  }
  const [a, b, f0, c] = fit.parameterValues;
  if (![a, b, f0, c].every(Number.isFinite) || !(b > 0)) return null;
  let ss = 0;
  const m = model(fit.parameterValues);
  for (let i = 0; i < frequency.length; i++) ss += (m(frequency[i]) - fsc[i]) ** 2;
  return { a, b, f0, c, rms: Math.sqrt(ss / frequency.length), f90: crossing90({ a, b, f0, c }, frequency[0]) };
}

/** Where the (decreasing, b > 0) logistic equals 0.9, if it is above 0.9 at `fStart`. */
function crossing90(p: Pick<LogisticFit, 'a' | 'b' | 'f0' | 'c'>, fStart: number): number | null {
  if (!(logisticFsc(p, fStart) > 0.9)) return null;
  // 1 − (a·s + c) = 0.9 ⇔ s = (0.1 − c)/a ⇔ f = f0 − ln(1/s − 1)/b.
  const s = (0.1 - p.c) / p.a;
  if (!(s > 0 && s < 1)) return null;
  return p.f0 - Math.log(1 / s - 1) / p.b;
}
