/**
 * What the entry page's 3-D viewer loads, from report.json's `viewer` files: base-aware URLs of
 * the compact map, the model and the colouring maps, the contour, and the URL of the Mol* bundle
 * (site/integrations/viewer-bundle.ts). Null for reports without viewer files (drawn without
 * figures, or written before the viewer).
 */
import type { Report } from '../../../analyzers/report/schema.ts';
import type { ViewerConfig } from '../viewer/molstar-viewer.ts';
import { formatBytes, formatNumber } from './format.ts';
import { entryFileUrl, siteUrl } from './urls.ts';
import { VIEWER_BUNDLE } from './viewer-paths.ts';


export interface ViewerPageConfig {
  bundleUrl: string;
  config: ViewerConfig;
  /** Size of the files fetched when the view opens (gzip'd, as sent): "1.2 MB". */
  dataText: string;
  /** Block size of the compact map (1: the map's own grid), its contour and the recommended one, as text. */
  step: number;
  levelText: string;
  recommendedText: string;
  /** The colouring menu: item id and label with the scale's range. */
  options: { id: string; label: string }[];
  /** Whether residue Q also colours the model's cartoon (its B-factor column holds the Q). */
  hasQ: boolean;
}

export function viewerConfig(r: Report): ViewerPageConfig | null {
  const v = r.viewer;
  if (!v) return null;
  const id = r.entry.id;
  const config: ViewerConfig = {
    map: { url: entryFileUrl(id, v.map.file), level: v.map.level },
    ...(v.model ? { model: { url: entryFileUrl(id, v.model.file), bFactorIsResidueQ: v.model.bFactorIsResidueQ } } : {}),
    colourings: v.colourings.map((c) => ({ id: c.id, name: `${c.id} ${c.name}${c.unit ? ` (${c.unit})` : ''}`, url: entryFileUrl(id, c.file), range: [c.range[0], c.range[1]], lowIsGood: c.lowIsGood })),
  };
  const dataBytes = v.map.bytes + (v.model?.bytes ?? 0) + v.colourings.reduce((n, c) => n + c.bytes, 0);
  return {
    bundleUrl: siteUrl(VIEWER_BUNDLE),
    config,
    dataText: formatBytes(dataBytes),
    step: v.map.step,
    levelText: formatNumber(v.map.level),
    recommendedText: formatNumber(v.map.recommendedLevel),
    hasQ: (v.model?.bFactorIsResidueQ ?? false) && v.colourings.some((c) => c.id === 'A.e'),
    options: config.colourings.map((c) => ({ id: c.id, label: `${c.name}, viridis over ${formatNumber(c.range[0])} to ${formatNumber(c.range[1])}` })),
  };
}

/** The files of the viewer, relative to the entry folder (the post-build step copies them). */
export function viewerFiles(r: Report): string[] {
  const v = r.viewer;
  return v ? [v.map.file, ...v.colourings.map((c) => c.file), ...(v.model ? [v.model.file] : [])] : [];
}
