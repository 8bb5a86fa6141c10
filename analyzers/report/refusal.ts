/**
 * `refusal.json`: what is published for an entry the analysis refuses as a whole (a recommended
 * contour above the map maximum, no contour level at all). A refusal is a finding for a curator,
 * so the entry keeps a page, an archive row and a search record; this file carries what they show.
 * Versioned on its own (a site that cannot read a version skips the entry, as for reports). No
 * timestamps: an unchanged refusal is byte-identical, so the incremental site build keeps it.
 */
import { z } from 'zod';
import { Entry } from './parts.ts';

export const REFUSAL_SCHEMA_VERSION = 1;

/** The entry metadata a refusal page shows; the contour is null when EMDB gives none. */
export const RefusalEntry = Entry.omit({ pdbIds: true }).extend({ threshold: z.number().nullable() });
export type RefusalEntry = z.output<typeof RefusalEntry>;

export const Refusal = z.strictObject({
  schemaVersion: z.literal(REFUSAL_SCHEMA_VERSION),
  entry: RefusalEntry,
  /** Where it was refused: on the EMDB metadata, or by the analysis on reading the map. */
  stage: z.enum(['metadata', 'analysis']),
  /** The sentence shown to readers, e.g. "the recommended contour level 9 is too high: …". */
  reason: z.string().min(1),
  analyzer: z.strictObject({ name: z.literal('emvr'), version: z.string() }),
});
export type Refusal = z.output<typeof Refusal>;

/** Reads a refusal; throws with every schema problem listed (`source` names the file). */
export function parseRefusal(json: unknown, source = 'refusal.json'): Refusal {
  const r = Refusal.safeParse(json);
  if (!r.success) throw new Error(`${source} does not match the refusal schema:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/**
 * A reason as published: file paths cut to their file name, so that the page never shows the
 * analysing machine's folders and the same refusal is byte-identical whatever the output folder.
 */
export function withoutFolders(reason: string): string {
  return reason.replace(/(?:\/[^\s/()]+)+\/([^\s/()]+)/gu, '$1');
}

/** The refusal of an entry, from whatever metadata shape carries these fields; its reason without folders. */
export function makeRefusal(entry: Omit<RefusalEntry, 'authors'> & { readonly authors: readonly string[] }, stage: Refusal['stage'], reason: string, analyzerVersion: string): Refusal {
  const { id, title, authors, depositionDate, releaseDate, resolution, threshold, method } = entry;
  return Refusal.parse({
    schemaVersion: REFUSAL_SCHEMA_VERSION,
    entry: { id, title, authors: [...authors], depositionDate, releaseDate, resolution, threshold, method },
    stage,
    reason: withoutFolders(reason),
    analyzer: { name: 'emvr', version: analyzerVersion },
  });
}
