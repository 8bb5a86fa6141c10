/**
 * A small subset of the Lucene/Solr query syntax the EMDB search API accepts, for the local
 * mirror: `field:value`, `field:"a phrase"`, ranges `field:[a TO b]` / `{a TO b}` (either end `*`),
 * bare words (searched in the ID and title), `*` wildcards in words, `*:*`, parentheses, AND, OR,
 * NOT (and `-term`). Juxtaposed terms are ANDed (Solr's default operator is configurable; AND is
 * the stricter choice for a mock). Unknown fields are an error, as in Solr ("undefined field").
 */

/** A searchable document: string fields (case-insensitive), numeric fields, list fields. */
export type SearchDoc = Record<string, string | number | readonly string[] | null>;

type Node =
  | { t: 'all' }
  | { t: 'and' | 'or'; a: Node; b: Node }
  | { t: 'not'; a: Node }
  | { t: 'term'; field: string | null; value: string; phrase: boolean }
  | { t: 'range'; field: string; lo: string; hi: string; loInc: boolean; hiInc: boolean };

/** A query the mirror cannot parse or that names an unknown field (the mirror answers 400). */
export class QuerySyntaxError extends Error {
  override name = 'QuerySyntaxError';
}

type Tok = { k: 'lp' | 'rp' | 'and' | 'or' | 'not' | 'minus' } | { k: 'word'; v: string } | { k: 'phrase'; v: string } | { k: 'range'; v: string };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/u.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ k: c === '(' ? 'lp' : 'rp' });
      i++;
    } else if (c === '-' && (out.length === 0 || /\s|\(/u.test(q[i - 1]))) {
      out.push({ k: 'minus' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < q.length && q[j] !== '"') {
        if (q[j] === '\\' && j + 1 < q.length) j++;
        s += q[j++];
      }
      if (j >= q.length) throw new QuerySyntaxError('unterminated phrase');
      out.push({ k: 'phrase', v: s });
      i = j + 1;
    } else if (c === '[' || c === '{') {
      const close = q.slice(i).search(/[\]}]/u);
      if (close < 0) throw new QuerySyntaxError('unterminated range');
      out.push({ k: 'range', v: q.slice(i, i + close + 1) });
      i += close + 1;
    } else {
      let j = i;
      let s = '';
      while (j < q.length && !/[\s()"[{]/u.test(q[j])) {
        if (q[j] === '\\' && j + 1 < q.length) j++;
        s += q[j++];
      }
      // "field:" followed by a phrase or range: keep the field as its own word.
      if (s === 'AND' || s === '&&') out.push({ k: 'and' });
      else if (s === 'OR' || s === '||') out.push({ k: 'or' });
      else if (s === 'NOT') out.push({ k: 'not' });
      else out.push({ k: 'word', v: s });
      i = j;
    }
  }
  return out;
}

/** Parses `q`; throws QuerySyntaxError. `fields` are the known field names. */
export function parseQuery(q: string, fields: ReadonlySet<string>): (doc: SearchDoc) => boolean {
  const toks = tokenize(q);
  let p = 0;
  const peek = () => toks[p];

  const checkField = (f: string) => {
    if (!fields.has(f)) throw new QuerySyntaxError(`undefined field ${f}`);
    return f;
  };

  function primary(): Node {
    const t = toks[p++];
    if (!t) throw new QuerySyntaxError('query ends early');
    if (t.k === 'lp') {
      const e = orExpr();
      if (toks[p++]?.k !== 'rp') throw new QuerySyntaxError('missing )');
      return e;
    }
    if (t.k === 'phrase') return { t: 'term', field: null, value: t.v, phrase: true };
    if (t.k === 'word') {
      if (t.v === '*' || t.v === '*:*') return { t: 'all' };
      const colon = t.v.indexOf(':');
      if (colon > 0) {
        const field = checkField(t.v.slice(0, colon));
        const rest = t.v.slice(colon + 1);
        if (rest !== '') return { t: 'term', field, value: rest, phrase: false };
        const n = toks[p++];
        if (n?.k === 'phrase') return { t: 'term', field, value: n.v, phrase: true };
        if (n?.k === 'range') return range(field, n.v);
        if (n?.k === 'lp') {
          // field:(a OR b): apply the field to every bare term inside.
          const e = orExpr();
          if (toks[p++]?.k !== 'rp') throw new QuerySyntaxError('missing )');
          return withField(e, field);
        }
        throw new QuerySyntaxError(`nothing after ${field}:`);
      }
      return { t: 'term', field: null, value: t.v, phrase: false };
    }
    throw new QuerySyntaxError(`unexpected ${t.k}`);
  }

  function range(field: string, text: string): Node {
    const m = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/u.exec(text);
    if (!m) throw new QuerySyntaxError(`bad range ${text}`);
    return { t: 'range', field, lo: m[2], hi: m[3], loInc: m[1] === '[', hiInc: m[4] === ']' };
  }

  function notExpr(): Node {
    const t = peek();
    if (t?.k === 'not' || t?.k === 'minus') {
      p++;
      return { t: 'not', a: notExpr() };
    }
    return primary();
  }

  function andExpr(): Node {
    let a = notExpr();
    for (;;) {
      const t = peek();
      if (t === undefined || t.k === 'or' || t.k === 'rp') return a;
      if (t.k === 'and') p++;
      a = { t: 'and', a, b: notExpr() };
    }
  }

  function orExpr(): Node {
    let a = andExpr();
    while (peek()?.k === 'or') {
      p++;
      a = { t: 'or', a, b: andExpr() };
    }
    return a;
  }

  const tree = toks.length === 0 ? ({ t: 'all' } as Node) : orExpr();
  if (p < toks.length) throw new QuerySyntaxError('unexpected text after the query');
  return (doc) => evaluate(tree, doc);
}

function withField(n: Node, field: string): Node {
  switch (n.t) {
    case 'term':
      return n.field === null ? { ...n, field } : n;
    case 'and':
    case 'or':
      return { ...n, a: withField(n.a, field), b: withField(n.b, field) };
    case 'not':
      return { ...n, a: withField(n.a, field) };
    default:
      return n;
  }
}

function wildcard(pattern: string): RegExp {
  const esc = pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/gu, '\\$&').replace(/\*/gu, '.*');
  return new RegExp(`^${esc}$`, 'u');
}

function valuesOf(doc: SearchDoc, field: string): (string | number)[] {
  const v = doc[field];
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? [...v] : [v as string | number];
}

/** Solr-ish date normalisation: "2024-05-01" or "2024-05-01T00:00:00Z" → "2024-05-01T00:00:00Z". */
function normDate(s: string): string {
  return /^\d{4}-\d{2}-\d{2}$/u.test(s) ? `${s}T00:00:00Z` : s;
}

function cmp(a: string | number, b: string): number {
  if (typeof a === 'number') return a - Number(b);
  const x = normDate(a);
  const y = normDate(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function evaluate(n: Node, doc: SearchDoc): boolean {
  switch (n.t) {
    case 'all':
      return true;
    case 'and':
      return evaluate(n.a, doc) && evaluate(n.b, doc);
    case 'or':
      return evaluate(n.a, doc) || evaluate(n.b, doc);
    case 'not':
      return !evaluate(n.a, doc);
    case 'range':
      return valuesOf(doc, n.field).some((v) => {
        const lo = n.lo === '*' || (n.loInc ? cmp(v, n.lo) >= 0 : cmp(v, n.lo) > 0);
        const hi = n.hi === '*' || (n.hiInc ? cmp(v, n.hi) <= 0 : cmp(v, n.hi) < 0);
        return lo && hi;
      });
    case 'term': {
      const fields = n.field === null ? ['emdb_id', 'title'] : [n.field];
      const want = n.value.toLowerCase();
      return fields.some((f) =>
        valuesOf(doc, f).some((v) => {
          const text = String(v).toLowerCase();
          if (n.field === null || f === 'title') {
            // Free text: a phrase or word inside the text.
            return want.includes('*') ? text.split(/\s+/u).some((w) => wildcard(want).test(w)) : text.includes(want);
          }
          if (typeof v === 'number') return v === Number(n.value);
          return want.includes('*') && !n.phrase ? wildcard(want).test(text) : text === want || normDate(text) === normDate(want);
        }),
      );
    }
    default:
      return false;
  }
}
