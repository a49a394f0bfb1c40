// What failed, from the JSON reports vitest writes (--reporter=json): read by scripts/test.mjs's summary.
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/** The first meaningful line of an error message, without colour codes, bounded for a log line. */
export function firstLine(message) {
  const plain = stripVTControlCharacters(String(message ?? ''));
  const line = plain.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '(no message)';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/**
 * What failed in one vitest step's JSON report: every failed test (file, describe path and title, first
 * error line) and every file that failed outside a test (a load error, a failing hook), so the tail of a
 * CI log names the failure even when the rest of the output was cut.
 */
export function failuresOf(step, report, root) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const rel = relative(root, file.name ?? '?');
    let inTests = 0;
    for (const a of file.assertionResults ?? []) {
      if (a.status !== 'failed') continue;
      inTests++;
      const title = [...(a.ancestorTitles ?? []), a.title].filter(Boolean).join(' > ');
      out.push(`${step}: ${rel} > ${title}\n      ${firstLine(a.failureMessages?.[0])}`);
    }
    if (file.status === 'failed' && inTests === 0) out.push(`${step}: ${rel} (outside any test)\n      ${firstLine(file.message)}`);
  }
  return out;
}

