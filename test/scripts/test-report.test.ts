/**
 * The summary of `npm test` names every failed test: a real vitest run over a throwaway folder (one
 * failing test in a describe, one passing, one file that fails to load) and its JSON report read back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { failuresOf, firstLine } from '../../scripts/test-report.mjs';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('test summary', () => {
  it('lists each failed test with its file, titles and first error line, and a file that failed to load', () => {
    writeFileSync(
      join(dir, 'a.test.js'),
      `describe('links', () => {
         it('open once', () => { expect(1 + 1, 'sum of the parts').toBe(3); });
         it('passes', () => { expect(true).toBe(true); });
       });\n`,
    );
    writeFileSync(join(dir, 'b.test.js'), `throw new Error('cannot load this file');\n`);
    const out = join(dir, 'report.json');
    const vitest = join(process.cwd(), 'node_modules', '.bin', 'vitest');
    const r = spawnSync(vitest, ['run', '--root', dir, '--globals', '--reporter=json', `--outputFile.json=${out}`], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    const lines = (failuresOf('unit', JSON.parse(readFileSync(out, 'utf8')), dir) as string[]).map((l) => l.split('\n').map((x) => x.trim()));
    expect(lines).toHaveLength(2);
    expect(lines).toContainEqual(['unit: a.test.js > links > open once', 'AssertionError: sum of the parts: expected 2 to be 3 // Object.is equality']);
    expect(lines).toContainEqual(['unit: b.test.js (outside any test)', 'cannot load this file']);
  });

  it('keeps one bounded line of a message, without colour codes', () => {
    expect(firstLine('\n  \x1b[31mError: boom\x1b[39m\n    at x (y.ts:1:1)')).toBe('Error: boom');
    expect(firstLine('x'.repeat(1000))).toHaveLength(300);
    expect(firstLine(undefined)).toBe('(no message)');
  });
});
