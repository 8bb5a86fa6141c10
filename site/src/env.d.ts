/// <reference types="astro/client" />

/** The site's URL sub-path ("/" or "/sub/path/"), fixed at build time by astro.config.mjs. */
declare const __EMVR_BASE__: string;

/** Limit on the names in one folder of the site (entry-path.ts), fixed at build time by astro.config.mjs. */
declare const __EMVR_MAX_DIR_FILES__: number;

/** MathJax 4's Node bundle ships no types; rehype-math-images.ts describes the part it uses. */
declare module '@mathjax/src';
