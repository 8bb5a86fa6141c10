/** Where the Mol* bundle of the 3-D viewer is published, relative to the site's base (site/integrations/viewer-bundle.ts writes it, pages import it). */
export const VIEWER_BUNDLE = '_viewer/molstar-viewer.js';
