/**
 * The table of contents of an entry page: every section once, numbered as its heading is, in
 * reading order (input data 1, one section per level, then resolution and provenance). The list
 * carries the numbers as text, so neither the browser's list counters nor print columns add or
 * reorder any.
 */
import type { LevelView } from './entry-view.ts';

/** One line of the contents, with the lines under it (a level's items). */
export interface ContentsEntry {
  /** "1", "2", "2.3": the number printed before the title, as in the section heading. */
  number: string;
  anchor: string;
  title: string;
  children: ContentsEntry[];
}

/** The closing sections' numbers, after the levels. */
export interface ClosingNumbers {
  resolution: string | null;
  provenance: string;
}

/** Numbers of the sections after the levels: resolution (when the report has it), then provenance. */
export function closingNumbers(levels: readonly Pick<LevelView, 'number'>[], hasResolution: boolean): ClosingNumbers {
  const next = 2 + levels.length;
  return { resolution: hasResolution ? String(next) : null, provenance: String(hasResolution ? next + 1 : next) };
}

/** The contents of a page with these levels; the resolution section only when the report has one. */
export function contentsOf(levels: readonly LevelView[], hasResolution: boolean): ContentsEntry[] {
  const closing = closingNumbers(levels, hasResolution);
  return [
    { number: '1', anchor: 'input-data', title: 'Input data', children: [] },
    ...levels.map((l) => ({
      number: String(l.number),
      anchor: l.anchor,
      title: l.title,
      children: l.items.map((i) => ({ number: i.section, anchor: i.anchor, title: i.title, children: [] })),
    })),
    ...(closing.resolution === null ? [] : [{ number: closing.resolution, anchor: 'resolution', title: 'Resolution', children: [] }]),
    { number: closing.provenance, anchor: 'provenance', title: 'Provenance and how to cite', children: [] },
  ];
}
