/**
 * The archive search box: Pagefind (static indexes built after the site, loaded on first use). The
 * index is split into shards, `<base>pagefind/<shard>/`, listed in `<base>pagefind/shards.json`
 * (scripts/site/pagefind-index.ts): the first is loaded and the others merged into it. The index
 * holds one record per entry (ID, title, authors, PDB IDs; src/lib/search-record.ts), so results
 * are entries. Result texts are set with textContent: titles come from EMDB.
 */

interface PagefindResultData {
  url: string;
  meta: Record<string, string>;
}

interface PagefindApi {
  options(o: Record<string, unknown>): Promise<void>;
  mergeIndex(url: string, o: Record<string, unknown>): Promise<void>;
  init(): void;
  search(term: string): Promise<{ results: { id: string; data(): Promise<PagefindResultData> }[] } | null>;
}

const FIRST_PAGE = 10;

function base(): string {
  return __EMVR_BASE__;
}

let api: Promise<PagefindApi> | null = null;

function loadPagefind(): Promise<PagefindApi> {
  api ??= (async () => {
    const res = await fetch(`${base()}pagefind/shards.json`);
    if (!res.ok) throw new Error(`no search index (${res.status})`);
    const shards = (await res.json()) as string[];
    if (shards.length === 0) throw new Error('empty search index');
    const [first, ...rest] = shards;
    const mod = (await import(/* @vite-ignore */ `${base()}pagefind/${first}/pagefind.js`)) as PagefindApi;
    await mod.options({ baseUrl: base() });
    for (const s of rest) await mod.mergeIndex(`${base()}pagefind/${s}/`, { baseUrl: base() });
    mod.init();
    return mod;
  })();
  return api;
}

/** "EMD-1234", "emd1234" or "1234" → "EMD-1234"; null for a term that is not an EMDB ID. */
function entryIdQuery(term: string): string | null {
  const m = /^(?:EMD-?)?(\d{4,})$/iu.exec(term.trim());
  return m ? `EMD-${m[1]}` : null;
}

/** Wires the search input to Pagefind and renders the matches as links. */
export function startSearch(): void {
  const input = document.getElementById('search-input') as HTMLInputElement | null;
  const list = document.getElementById('search-results');
  const status = document.getElementById('search-status');
  if (!input || !list || !status) return;
  let seq = 0;
  let timer = 0;
  let shown = FIRST_PAGE;

  const run = async () => {
    const term = input.value.trim();
    const mine = ++seq;
    if (term === '') {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    let pf: PagefindApi;
    try {
      pf = await loadPagefind();
    } catch {
      status.textContent = 'Search is not available in this build (no Pagefind index); use the table filters below.';
      return;
    }
    const res = await pf.search(term);
    if (mine !== seq || !res) return;
    let top = await Promise.all(res.results.slice(0, shown).map((r) => r.data()));
    if (mine !== seq) return;
    let total = res.results.length;
    // Pagefind drops a word its index lacks, so every shard without this ID answers with all its
    // "EMD" entries: a query that is an entry ID shows that entry alone when it is found.
    const wanted = entryIdQuery(term);
    const exact = wanted ? top.filter((d) => d.meta.entry === wanted) : [];
    if (exact.length > 0) {
      top = exact;
      total = exact.length;
    }
    const frag = document.createDocumentFragment();
    for (const d of top) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = d.url;
      const id = document.createElement('span');
      id.className = 'result-id';
      id.textContent = d.meta.entry ?? '';
      const title = d.meta.title ?? d.url;
      a.append(id, document.createTextNode(d.meta.entry && title.startsWith(d.meta.entry) ? title.slice(d.meta.entry.length).trim() : title));
      li.append(a);
      if (d.meta.score) {
        const s = document.createElement('span');
        s.className = 'muted';
        s.textContent = ` · score ${d.meta.score}`;
        li.append(s);
      }
      frag.append(li);
    }
    if (total > top.length) {
      const li = document.createElement('li');
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'button';
      more.textContent = `Show more (${total - top.length} left)`;
      more.addEventListener('click', () => {
        shown += 20;
        void run();
      });
      li.append(more);
      frag.append(li);
    }
    list.replaceChildren(frag);
    status.textContent = total === 0 ? `No entry matches “${term}”.` : `${total} entr${total === 1 ? 'y matches' : 'ies match'} “${term}”.`;
  };

  input.addEventListener('focus', () => void loadPagefind().catch(() => undefined), { once: true });
  input.addEventListener('input', () => {
    shown = FIRST_PAGE;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), 150);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      window.clearTimeout(timer);
      void run();
    }
  });
}
