/**
 * Where in a scenario's text a problem is: `lab.validate` names each problem by its path
 * (`protocol.fanout`, `observe.snapshots[1]`, or '' with "line 3, column 5: ..." for a syntax error),
 * and the editor marks the line that path is written on. A key the text does not have (a required one
 * left out) is marked at its nearest written parent. Pure: unit-tested directly.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/** `observe.snapshots[1]` → ['observe', 'snapshots', 1]. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The 1-based line `path` is written on in `text`, or null when nothing of it is (nor a line number in the message). */
export function lineOf(text: string, path: string, message = ''): number | null {
  const said = /^line (\d+)(?:, column \d+)?:/.exec(message);
  if (said) return Number(said[1]);
  const lc = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  } catch {
    return null;
  }
  let node: unknown = doc.contents;
  let line: number | null = null;
  const lineAt = (r: unknown): number | null => (Array.isArray(r) && typeof r[0] === 'number' ? lc.linePos(r[0] as number).line : null);
  for (const k of splitPath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(k));
      if (!pair) break;
      line = lineAt((pair.key as { range?: unknown }).range) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof k === 'number') {
      const item: unknown = node.items[k];
      if (item === undefined) break;
      line = lineAt((item as { range?: unknown }).range) ?? line;
      node = item;
    } else break;
  }
  return line;
}

export interface LocatedIssue {
  path: string;
  message: string;
  /** 1-based, or null when the problem is not on a line of its own (the whole scenario). */
  line: number | null;
}

/** Each issue with its line, in line order (issues of the whole text first). */
export function locate(text: string, issues: readonly { path: string; message: string }[]): LocatedIssue[] {
  return issues.map((i) => ({ ...i, line: lineOf(text, i.path, i.message) })).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
