// The sync study of `peerlab compare`: its plan (three modes at each size, overlay-only sizes), its
// cases run for real at 10 peers, what the study reads from them, and the report's sync section.
import { describe, expect, it } from 'vitest';
import { compareConfig, comparePlan, groupResults, measure, type CompareResult } from '../../src/lab/compare-study.js';
import { syncRoles } from '../../src/lab/compare-sync.js';
import type { JobResult } from '../../src/lab/pool.js';
import { compareReport } from '../../src/lab/report/compare-report.js';
import { runJob } from '../../src/lab/worker.js';

describe('compare: the sync study', () => {
  it('plans overlay, y-webrtc and flooding at every size, and sizes only the overlay runs at', () => {
    const cfg = compareConfig(false);
    const full = comparePlan({ ...cfg, syncOverlayPeers: [2000] }).filter((c) => c.study === 'sync');
    const sizes = (p: string) => [...new Set(full.filter((c) => c.proto === p).map((c) => c.peers))].sort((a, b) => a - b);
    expect(sizes('sync-overlay')).toEqual([10, 100, 1000, 2000]);
    expect(sizes('sync-ywebrtc')).toEqual([10, 100, 1000]);
    expect(sizes('sync-flood')).toEqual([10, 100, 1000]);
    expect(full.filter((c) => c.peers === 100).length).toBe(3 * cfg.syncSeeds);
    expect(full.filter((c) => c.peers === 1000).length).toBe(3);
    const big = full.find((c) => c.peers === 2000)!;
    expect(big.doc.protocol).toEqual({ type: 'sync', mode: 'overlay' });
    expect(big.doc.workload).toMatchObject({ editors: 20, joiners: 20, edits: 200 });
    const quick = comparePlan(compareConfig(true)).filter((c) => c.study === 'sync');
    expect(quick.map((c) => `${c.proto}/${c.peers}`).sort()).toEqual(['sync-flood/10', 'sync-flood/30', 'sync-overlay/10', 'sync-overlay/30', 'sync-ywebrtc/10', 'sync-ywebrtc/30']);
    expect(Math.max(...quick.map((q) => q.peers))).toBe(30);
  });

  it('scales the editors and late joiners to the room', () => {
    expect(syncRoles(10)).toEqual({ editors: 5, joiners: 1 });
    expect(syncRoles(1000)).toEqual({ editors: 20, joiners: 20 });
  });

  it('runs its 10-peer cases: every mode converges; y-webrtc holds a mesh and pays for it; the report draws them', async () => {
    const cfg = compareConfig(true);
    const cases = comparePlan(cfg).filter((c) => c.study === 'sync' && c.peers === 10);
    const results: JobResult[] = [];
    for (const c of cases) results.push(await runJob({ input: c.doc, source: `compare:${c.id}`, keep: c.keep }));
    const measured = cases.map((c, i) => measure(c, results[i]!));
    const by = (p: string) => measured[cases.findIndex((c) => c.proto === p)]!;
    for (const m of measured) {
      expect(m.reliability).toBe(1);
      expect(m.timeMs).toBeGreaterThan(0);
      expect(m.convergenceP50Ms).toBeLessThanOrEqual(m.timeMs!);
      expect(m.bytesPerEditPerPeer).toBeGreaterThan(0);
      expect(m.joinBytesPerDocByte).toBeGreaterThanOrEqual(1);
      expect(m.messagesPerPeer).toBeNull();
    }
    // 10 peers: y-webrtc connects (nearly) everyone to everyone; the overlay keeps its partial view
    expect(by('sync-ywebrtc').linksPerPeer).toBeGreaterThan(by('sync-overlay').linksPerPeer!);
    expect(by('sync-ywebrtc').bytesPerEditPerPeer).toBeGreaterThan(by('sync-overlay').bytesPerEditPerPeer!);
    const r: CompareResult = { config: cfg, cases, results, measured, groups: groupResults(cases, measured), wallMs: 1, workers: 1 };
    const html = compareReport(r);
    expect(html).toContain('Collaborative sync: overlay vs y-webrtc vs flooding');
    for (const title of ['Sync: edit convergence p99 vs peers', 'Sync: CDF of edit convergence at 10 peers', 'Sync: bytes per edit per peer vs peers', 'Sync: links per peer vs peers', 'Sync: join cost'])
      expect(html).toContain(title);
  });
});
