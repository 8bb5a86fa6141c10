/**
 * The archive table in the browser: loads `/index.json` once, keeps its columns in flat arrays, and
 * sorts, filters and paginates them. Sorting builds one index permutation per sort key (a typed
 * array); filtering walks it in order, so a filter change costs one linear pass over the rows
 * (about a millisecond for 50 000 entries) and only one page of rows (PAGE_SIZE) is in the DOM.
 * The percentile column shows one ranked value's percentile (among all entries or within the
 * resolution band; `percentiles` of /index.json, lib/archive-statistics.ts), and can be sorted and filtered.
 * The filter state lives in the page URL (?q=&rmin=&rmax=&fmin=&fmax=&item=&status=&minscore=&pcol=&ppop=&pmin=&sort=&page=),
 * so a filtered view can be bookmarked and shared.
 */
import { entryFolder, fanOut } from '../lib/entry-path.ts';

const PAGE_SIZE = 100;

type SortKey = 'id' | 'title' | 'resolution' | 'fsc' | 'date' | 'score' | 'pct';
const SORT_KEYS: readonly SortKey[] = ['id', 'title', 'resolution', 'fsc', 'date', 'score', 'pct'];

interface IndexDoc {
  items: string[];
  columns: string[];
  rows: unknown[][];
  /** Per row, [among all, within the band] for each ranked column (absent in an index of older site code). */
  percentiles?: { columns: { column: string }[]; rows: (number | null)[][] };
}

interface Filters {
  q: string;
  rmin: number | null;
  rmax: number | null;
  /** Range of 1.a's FSC resolution (Å). */
  fmin: number | null;
  fmax: number | null;
  item: string;
  status: string;
  minscore: number | null;
  /** Ranked column shown in the percentile column, its population ('all' or 'band'), and the lowest percentile kept. */
  pcol: string;
  ppop: string;
  pmin: number | null;
}

/** Column-wise copy of the index: one array per field, row i in position i. */
interface Columns {
  n: number;
  items: string[];
  id: string[];
  idNum: Float64Array;
  title: string[];
  hay: string[];
  resolution: Float64Array;
  /** 1.a FSC 0.143 resolution of the unmasked half maps (NaN: no half maps, or not crossed). */
  fsc: Float64Array;
  date: string[];
  passing: Int16Array;
  evaluable: Int16Array;
  status: string[];
  warnings: number[][];
  /** Ranked column names, and their percentiles: pct[2k] among all, pct[2k + 1] within the band (NaN: none). */
  pctColumns: string[];
  pct: Float64Array[];
}

/** Timings of the last operations (ms), for the benchmark script and curious readers. */
interface Timings {
  fetchMs: number;
  prepareMs: number;
  sortMs: number;
  filterMs: number;
  renderMs: number;
  rows: number;
  visible: number;
}

declare global {
  interface Window {
    __archiveTimings?: Timings;
  }
}

const STATUS_TEXT: Record<string, { cls: string; icon: string; short: (w: number) => string; full: (w: number) => string }> = {
  o: { cls: 'ok', icon: '✓', short: () => 'OK', full: () => 'OK' },
  w: { cls: 'warnings', icon: '!', short: (w) => String(w), full: (w) => `${w} warning${w === 1 ? '' : 's'}` },
  n: { cls: 'not-applicable', icon: '–', short: () => 'n/a', full: () => 'Does not apply' },
  f: { cls: 'failed', icon: '⊘', short: () => 'not measured', full: () => 'Could not be measured' },
  // A refused entry: every cell says so without repeating the word across the row; its score cell reads "refused".
  r: { cls: 'refused', icon: '⊗', short: () => '', full: () => 'Entry refused: see its page for the reason' },
  x: { cls: 'absent', icon: '·', short: () => '', full: () => 'Not in this report (its input is missing)' },
};

function base(): string {
  return __EMVR_BASE__;
}

function toColumns(doc: IndexDoc): Columns {
  const c = (name: string) => {
    const i = doc.columns.indexOf(name);
    if (i < 0) throw new Error(`index.json has no column ${name}`);
    return i;
  };
  const [iId, iTitle, iRes, iDate, iPass, iEval, iStatus, iWarn] = ['id', 'title', 'resolution', 'depositionDate', 'passing', 'evaluable', 'status', 'warnings'].map(c);
  // The FSC column comes from 1.a's headline value; an index without it (older site code) shows no FSC.
  const iFsc = doc.columns.indexOf('fsc0143');
  const n = doc.rows.length;
  const cols: Columns = {
    n,
    items: doc.items,
    id: new Array(n),
    idNum: new Float64Array(n),
    title: new Array(n),
    hay: new Array(n),
    resolution: new Float64Array(n),
    fsc: new Float64Array(n),
    date: new Array(n),
    passing: new Int16Array(n),
    evaluable: new Int16Array(n),
    status: new Array(n),
    warnings: new Array(n),
    pctColumns: doc.percentiles?.columns.map((c) => c.column) ?? [],
    pct: [],
  };
  const pctRows = doc.percentiles?.rows ?? [];
  for (let k = 0; k < 2 * cols.pctColumns.length; k++) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = pctRows[i]?.[k];
      a[i] = typeof v === 'number' ? v : Number.NaN;
    }
    cols.pct.push(a);
  }
  for (let i = 0; i < n; i++) {
    const r = doc.rows[i];
    const id = String(r[iId]);
    const title = (r[iTitle] as string | null) ?? '';
    cols.id[i] = id;
    const m = /(\d+)$/u.exec(id);
    cols.idNum[i] = m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
    cols.title[i] = title;
    cols.hay[i] = `${id} ${title}`.toLowerCase();
    cols.resolution[i] = typeof r[iRes] === 'number' ? (r[iRes] as number) : Number.NaN;
    cols.fsc[i] = iFsc >= 0 && typeof r[iFsc] === 'number' ? (r[iFsc] as number) : Number.NaN;
    cols.date[i] = (r[iDate] as string | null) ?? '';
    cols.passing[i] = r[iPass] as number;
    cols.evaluable[i] = r[iEval] as number;
    cols.status[i] = r[iStatus] as string;
    cols.warnings[i] = r[iWarn] as number[];
  }
  return cols;
}

/** The percentiles the filters select (all NaN when the index has none). */
function pctOf(c: Columns, f: Pick<Filters, 'pcol' | 'ppop'>): Float64Array {
  const k = c.pctColumns.indexOf(f.pcol);
  return k < 0 ? new Float64Array(c.n).fill(Number.NaN) : c.pct[2 * k + (f.ppop === 'band' ? 1 : 0)];
}

/**
 * Row indices ordered by `key` (ascending; `dir` −1 reverses), missing values (no resolution, no
 * date) always last. Ties keep accession order.
 */
function sortOrder(c: Columns, key: SortKey, dir: 1 | -1, pct: Float64Array): Uint32Array {
  const idx = new Uint32Array(c.n);
  for (let i = 0; i < c.n; i++) idx[i] = i;
  const byId = (a: number, b: number) => c.idNum[a] - c.idNum[b] || (c.id[a] < c.id[b] ? -1 : c.id[a] > c.id[b] ? 1 : 0);
  let cmp: (a: number, b: number) => number;
  switch (key) {
    case 'id':
      cmp = (a, b) => dir * byId(a, b);
      break;
    case 'title': {
      const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
      cmp = (a, b) => dir * collator.compare(c.title[a], c.title[b]) || byId(a, b);
      break;
    }
    case 'resolution':
    case 'fsc':
    case 'pct': {
      const v = key === 'fsc' ? c.fsc : key === 'pct' ? pct : c.resolution;
      cmp = (a, b) => {
        const ra = v[a];
        const rb = v[b];
        if (ra !== ra || rb !== rb) return (ra !== ra ? 1 : 0) - (rb !== rb ? 1 : 0) || byId(a, b);
        return dir * (ra - rb) || byId(a, b);
      };
      break;
    }
    case 'date':
      cmp = (a, b) => {
        const da = c.date[a];
        const db = c.date[b];
        if (!da || !db) return (da ? 0 : 1) - (db ? 0 : 1) || byId(a, b);
        return dir * (da < db ? -1 : da > db ? 1 : 0) || byId(a, b);
      };
      break;
    case 'score':
      // Passing share first, then the number passing: 4 of 4 above 3 of 3 above 3 of 4.
      cmp = (a, b) => {
        const sa = c.evaluable[a] > 0 ? c.passing[a] / c.evaluable[a] : -1;
        const sb = c.evaluable[b] > 0 ? c.passing[b] / c.evaluable[b] : -1;
        return dir * (sa - sb || c.passing[a] - c.passing[b]) || byId(a, b);
      };
      break;
    default:
      cmp = byId;
  }
  return idx.sort(cmp);
}

/** Indices of `order` that pass every filter, in order; returns how many were written to `out`. */
function applyFilters(c: Columns, order: Uint32Array, f: Filters, out: Uint32Array): number {
  const q = f.q.trim().toLowerCase();
  const k = f.item ? c.items.indexOf(f.item) : -1;
  const code = f.status;
  const rmin = f.rmin ?? -Infinity;
  const rmax = f.rmax ?? Infinity;
  const useRes = f.rmin !== null || f.rmax !== null;
  const fmin = f.fmin ?? -Infinity;
  const fmax = f.fmax ?? Infinity;
  const useFsc = f.fmin !== null || f.fmax !== null;
  const minscore = f.minscore ?? -Infinity;
  const pct = pctOf(c, f);
  const pmin = f.pmin ?? -Infinity;
  const usePct = f.pmin !== null;
  let n = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    if (useRes) {
      const r = c.resolution[i];
      if (!(r >= rmin && r <= rmax)) continue;
    }
    if (useFsc) {
      const r = c.fsc[i];
      if (!(r >= fmin && r <= fmax)) continue;
    }
    if (c.passing[i] < minscore) continue;
    if (usePct && !(pct[i] >= pmin)) continue;
    if (code) {
      const s = c.status[i];
      if (k >= 0 ? s.charCodeAt(k) !== code.charCodeAt(0) : s.indexOf(code) < 0) continue;
    }
    if (q && c.hay[i].indexOf(q) < 0) continue;
    out[n++] = i;
  }
  return n;
}

function numOrNull(s: string | null): number | null {
  if (s === null || s.trim() === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function statusCell(code: string, warnings: number): HTMLTableCellElement {
  const td = el('td');
  const s = STATUS_TEXT[code] ?? STATUS_TEXT.n;
  const badge = el('span', `status status-${s.cls}`);
  badge.title = s.full(warnings);
  const icon = el('span', 'status-icon', s.icon);
  icon.setAttribute('aria-hidden', 'true');
  const short = el('span', undefined, s.short(warnings));
  short.setAttribute('aria-hidden', 'true');
  badge.append(icon, short, el('span', 'sr-only', s.full(warnings)));
  td.append(badge);
  return td;
}

/** Wires the filter form, the sortable headers and the pager to the table; fetches /index.json. */
export async function startArchiveTable(): Promise<void> {
  const form = document.getElementById('archive-filters') as HTMLFormElement | null;
  const body = document.getElementById('archive-body');
  const statusLine = document.getElementById('archive-status');
  const table = document.getElementById('archive-table');
  if (!form || !body || !statusLine || !table) return;
  const prev = document.getElementById('page-prev') as HTMLButtonElement;
  const next = document.getElementById('page-next') as HTMLButtonElement;
  const pageInfo = document.getElementById('page-info') as HTMLElement;

  const timings: Timings = { fetchMs: 0, prepareMs: 0, sortMs: 0, filterMs: 0, renderMs: 0, rows: 0, visible: 0 };
  window.__archiveTimings = timings;

  let cols: Columns;
  try {
    const t0 = performance.now();
    const res = await fetch(`${base()}index.json`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const doc = (await res.json()) as IndexDoc;
    const t1 = performance.now();
    cols = toColumns(doc);
    timings.fetchMs = t1 - t0;
    timings.prepareMs = performance.now() - t1;
    timings.rows = cols.n;
  } catch (err) {
    statusLine.textContent = `The archive index could not be loaded (${(err as Error).message}).`;
    return;
  }

  const params = new URLSearchParams(location.search);
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
  for (const name of ['q', 'rmin', 'rmax', 'fmin', 'fmax', 'item', 'status', 'minscore', 'pcol', 'ppop', 'pmin']) {
    const v = params.get(name);
    if (v !== null) field(name).value = v;
  }
  let sortKey = (params.get('sort') as SortKey | null) ?? 'id';
  if (!SORT_KEYS.includes(sortKey)) sortKey = 'id';
  let sortDir: 1 | -1 = params.get('dir') === 'desc' ? -1 : 1;
  let page = Math.max(0, (numOrNull(params.get('page')) ?? 1) - 1);

  const pctSelection = () => ({ pcol: field('pcol').value, ppop: field('ppop').value });
  let order = sortOrder(cols, sortKey, sortDir, pctOf(cols, pctSelection()));
  let sortedPct = JSON.stringify(pctSelection());
  const visible = new Uint32Array(cols.n);
  let nVisible = 0;

  const readFilters = (): Filters => ({
    q: field('q').value,
    rmin: numOrNull(field('rmin').value),
    rmax: numOrNull(field('rmax').value),
    fmin: numOrNull(field('fmin').value),
    fmax: numOrNull(field('fmax').value),
    item: field('item').value,
    status: field('status').value,
    minscore: numOrNull(field('minscore').value),
    pcol: field('pcol').value,
    ppop: field('ppop').value,
    pmin: numOrNull(field('pmin').value),
  });

  const syncUrl = (f: Filters) => {
    const p = new URLSearchParams();
    if (f.q) p.set('q', f.q);
    if (f.rmin !== null) p.set('rmin', String(f.rmin));
    if (f.rmax !== null) p.set('rmax', String(f.rmax));
    if (f.fmin !== null) p.set('fmin', String(f.fmin));
    if (f.fmax !== null) p.set('fmax', String(f.fmax));
    if (f.item) p.set('item', f.item);
    if (f.status) p.set('status', f.status);
    if (f.minscore !== null) p.set('minscore', String(f.minscore));
    if (f.pcol && f.pcol !== cols.pctColumns[0]) p.set('pcol', f.pcol);
    if (f.ppop !== 'all') p.set('ppop', f.ppop);
    if (f.pmin !== null) p.set('pmin', String(f.pmin));
    if (sortKey !== 'id' || sortDir !== 1) {
      p.set('sort', sortKey);
      p.set('dir', sortDir === 1 ? 'asc' : 'desc');
    }
    if (page > 0) p.set('page', String(page + 1));
    const qs = p.toString();
    history.replaceState(null, '', qs ? `?${qs}` : location.pathname);
  };

  const render = () => {
    const t0 = performance.now();
    const pages = Math.max(1, Math.ceil(nVisible / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const start = page * PAGE_SIZE;
    const end = Math.min(nVisible, start + PAGE_SIZE);
    const frag = document.createDocumentFragment();
    const b = base();
    const folders = fanOut(__EMVR_MAX_DIR_FILES__);
    const pct = pctOf(cols, pctSelection());
    for (let j = start; j < end; j++) {
      const i = visible[j];
      const tr = el('tr');
      tr.dataset.id = cols.id[i];
      const tdId = el('td', 'id');
      const a = el('a', undefined, cols.id[i]);
      a.href = `${b}${entryFolder(cols.id[i], folders)}/`;
      tdId.append(a);
      const res = cols.resolution[i];
      const fsc = cols.fsc[i];
      tr.append(
        tdId,
        el('td', 'title', cols.title[i]),
        el('td', 'num', res === res ? String(res) : '—'),
        el('td', 'num', fsc === fsc ? fsc.toFixed(2) : '—'),
        el('td', 'num pct', pct[i] === pct[i] ? pct[i].toFixed(1) : '—'),
        el('td', undefined, cols.date[i] ? cols.date[i].slice(0, 10) : '—'),
        el('td', 'num', cols.status[i].startsWith('r') ? 'refused' : `${cols.passing[i]}/${cols.evaluable[i]}`),
      );
      const s = cols.status[i];
      const w = cols.warnings[i];
      for (let k = 0; k < s.length; k++) tr.append(statusCell(s[k], w[k] ?? 0));
      frag.append(tr);
    }
    body.replaceChildren(frag);
    table.dataset.visible = String(nVisible);
    statusLine.textContent =
      nVisible === 0
        ? `No entry matches the filters (${cols.n} in the archive).`
        : `Showing ${start + 1}–${end} of ${nVisible} entr${nVisible === 1 ? 'y' : 'ies'}${nVisible < cols.n ? ` (filtered from ${cols.n})` : ''}.`;
    pageInfo.textContent = `Page ${page + 1} of ${pages}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    timings.renderMs = performance.now() - t0;
    timings.visible = nVisible;
  };

  const refilter = (resetPage: boolean) => {
    const f = readFilters();
    const sel = JSON.stringify(pctSelection());
    if (sortKey === 'pct' && sel !== sortedPct) order = sortOrder(cols, sortKey, sortDir, pctOf(cols, f));
    sortedPct = sel;
    const t0 = performance.now();
    nVisible = applyFilters(cols, order, f, visible);
    timings.filterMs = performance.now() - t0;
    if (resetPage) page = 0;
    render();
    syncUrl(f);
  };

  const headers = Array.from(table.querySelectorAll<HTMLTableCellElement>('th[data-sort]'));
  const showSort = () => {
    for (const th of headers) th.setAttribute('aria-sort', th.dataset.sort === sortKey ? (sortDir === 1 ? 'ascending' : 'descending') : 'none');
  };
  for (const th of headers) {
    th.querySelector('button')?.addEventListener('click', () => {
      const key = th.dataset.sort as SortKey;
      sortDir = key === sortKey ? (sortDir === 1 ? -1 : 1) : 1;
      sortKey = key;
      const t0 = performance.now();
      order = sortOrder(cols, sortKey, sortDir, pctOf(cols, pctSelection()));
      timings.sortMs = performance.now() - t0;
      showSort();
      refilter(true);
    });
  }

  let pending = 0;
  form.addEventListener('input', () => {
    // Typing in the text box refilters at most every 120 ms; other controls apply at once.
    window.clearTimeout(pending);
    pending = window.setTimeout(() => refilter(true), 120);
  });
  form.addEventListener('change', () => {
    window.clearTimeout(pending);
    refilter(true);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    refilter(true);
  });
  form.addEventListener('reset', () => {
    window.setTimeout(() => refilter(true), 0);
  });
  prev.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    refilter(false);
  });
  next.addEventListener('click', () => {
    page += 1;
    refilter(false);
  });

  showSort();
  refilter(false);
  table.dataset.ready = 'true';
}
