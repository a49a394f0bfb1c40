/**
 * Scenario text (YAML, and so JSON) to plain data at a bounded cost, with every problem a located
 * ScenarioError. A scenario may come from anyone (a file from elsewhere, a dashboard's `lab.load`), so:
 * - the text is at most `MAX_SCENARIO_CHARS` long;
 * - brackets and compact `- ` / `? ` indicators nest at most `MAX_YAML_DEPTH` deep, checked on the raw
 *   text before the YAML parser sees it (a 100,000-deep `[[[...` makes the parser overflow its stack,
 *   and a second such text then aborted the whole process in V8's regexp compiler);
 * - duplicate keys are found in one pass over the parsed tree (the parser's own `uniqueKeys` check
 *   compares every key with every other: 48,700 keys took 38 s);
 * - an alias must name an anchor set before it (not itself: no cycles), and a document holds at most
 *   `MAX_YAML_ALIASES` aliases expanding to at most `MAX_ALIAS_EXPANSION` nodes (no alias bombs);
 * - collections nest at most `MAX_YAML_DEPTH` deep.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ScenarioError, type ScenarioIssue } from './errors.js';

/** Longest scenario text accepted (characters). Long churn traces belong in `churn.traceFile`. */
export const MAX_SCENARIO_CHARS = 4 * 1024 * 1024;
/** Deepest nesting of collections (flow brackets on the raw text, and the parsed tree). */
export const MAX_YAML_DEPTH = 64;
/** Most alias nodes (`*name`) in one document. */
export const MAX_YAML_ALIASES = 1000;
/** Most nodes all aliases together may expand to (the YAML library's own bound). */
export const MAX_ALIAS_EXPANSION = 100;

type Path = (string | number)[];

function pathText(path: Path): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}

function at(lc: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return '';
  const p = lc.linePos(offset);
  return `line ${p.line}, column ${p.col}: `;
}

/**
 * Where the raw text first nests deeper than `max`, or null: `[`/`{` anywhere (quoted or not: counting
 * every bracket can only over-estimate, and a scanner that guessed at quoting could be led to skip a
 * real bracket), and compact block indicators at the start of a line (`- - - x`, `? ? x`).
 */
function nestingExceeded(text: string, max: number): number | null {
  let depth = 0;
  let lineStart = true;
  let compact = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
    if (c === 0x0a) {
      lineStart = true;
      compact = 0;
    } else if (lineStart && (c === 0x2d || c === 0x3f) && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x09)) {
      if (++compact > max) return i;
      i++;
    } else if (c !== 0x20 && c !== 0x09) lineStart = false;
  }
  return null;
}

/** Walks the parsed tree once: duplicate keys, aliases (defined before, counted), depth. */
function checkTree(root: Node | null, lc: LineCounter): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const anchors = new Set<string>();
  let aliases = 0;
  const walk = (node: unknown, path: Path, depth: number): void => {
    if (issues.length >= 20 || node === null || node === undefined) return;
    if (depth > MAX_YAML_DEPTH) {
      issues.push({ path: pathText(path), problem: `nested deeper than ${MAX_YAML_DEPTH} levels` });
      return;
    }
    if (isAlias(node)) {
      if (++aliases > MAX_YAML_ALIASES) {
        if (aliases === MAX_YAML_ALIASES + 1) issues.push({ path: '', problem: `more than ${MAX_YAML_ALIASES} aliases (*name) in one document` });
        return;
      }
      if (!anchors.has(node.source))
        issues.push({
          path: pathText(path),
          problem: `${at(lc, node.range?.[0])}alias *${node.source} has no anchor &${node.source} before it (an alias must follow its anchor, outside it)`,
        });
      return;
    }
    const n = node as Node;
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key as Node | null;
        const name = isScalar(k) ? String(k.value) : isAlias(k) ? `*${k.source}` : k === null ? '' : String(k);
        if (isAlias(k)) walk(k, path, depth + 1);
        if (seen.has(name)) issues.push({ path: pathText([...path, name]), problem: `${at(lc, k?.range?.[0])}duplicate key (a key may appear once in a mapping)` });
        seen.add(name);
        walk(pair.value, [...path, name], depth + 1);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => walk(item, [...path, i], depth + 1));
    }
    // set after the children: an alias inside its own anchor's node would be a cycle
    if (n.anchor) anchors.add(n.anchor);
  };
  walk(root, [], 0);
  return issues;
}

/** YAML (JSON is YAML) text to plain data; every problem names its key path or its line and column. */
export function readYaml(text: string, source = '<inline>'): unknown {
  if (text.length > MAX_SCENARIO_CHARS)
    throw new ScenarioError(
      [{ path: '', problem: `${text.length} characters: a scenario may have at most ${MAX_SCENARIO_CHARS} (put long churn traces in churn.traceFile)` }],
      source,
    );
  const deep = nestingExceeded(text, MAX_YAML_DEPTH);
  if (deep !== null) {
    const line = text.slice(0, deep).split('\n').length;
    throw new ScenarioError([{ path: '', problem: `line ${line}: nested deeper than ${MAX_YAML_DEPTH} levels` }], source);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, lineCounter: lc, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.slice(0, 20).map((e) => {
        const pos = e.linePos?.[0];
        const where = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
        return { path: '', problem: `${where}: ${firstLine(e.message)}` };
      }),
      source,
    );
  }
  const issues = checkTree(doc.contents as Node | null, lc);
  if (issues.length > 0) throw new ScenarioError(issues, source);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
  } catch (e) {
    // the only errors toJS throws for a tree checked above: an alias expanding past the bound
    const why = e instanceof ReferenceError && /alias count/i.test(e.message) ? `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes (an alias bomb?)` : (e as Error).message;
    throw new ScenarioError([{ path: '', problem: `YAML: ${why}` }], source);
  }
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '').trim();
}
