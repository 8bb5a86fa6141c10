/**
 * The date an analysis is recorded with (`provenance.analysedOn`, YYYY-MM-DD, UTC): the day, not
 * the time, so that two runs of one day publish the same bytes. SOURCE_DATE_EPOCH (seconds, the
 * reproducible-builds convention) fixes it, for tests that compare runs made minutes or days apart.
 */
export function analysisDate(env: Readonly<Record<string, string | undefined>> = process.env, now: () => Date = () => new Date()): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/u.test(epoch)) throw new RangeError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
    return new Date(Number(epoch) * 1000).toISOString().slice(0, 10);
  }
  return now().toISOString().slice(0, 10);
}
