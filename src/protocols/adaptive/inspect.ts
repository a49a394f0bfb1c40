/** One adaptive peer for the dashboard's inspector: its links, trust table and adversary role. */
import { boundedTable, type PeerInspection } from '../observation.js';
import type { AdaptiveRun } from './driver.js';

export function inspectAdaptive(run: AdaptiveRun, peer: number): PeerInspection {
  const p = run.peer(peer);
  const adv = run.adversaries[peer] ?? null;
  const role = adv === null ? 'honest' : [adv.drop && 'drops', adv.corrupt && 'corrupts', adv.spamPerSec > 0 && 'spams', adv.badmouth && 'badmouths'].filter(Boolean).join(', ');
  if (!p) return { neighbours: [], sections: [{ kind: 'facts', title: 'Role', rows: [{ label: 'Behaviour', value: role || 'malicious' }] }] };
  const links = [...p.links.entries()];
  const reps = [...p.trust.entries()].sort((a, b) => p.trust.score(a[0]) - p.trust.score(b[0]));
  return {
    neighbours: links.map(([q]) => q),
    sections: [
      { kind: 'facts', title: 'Role', rows: [{ label: 'Behaviour', value: role || 'malicious' }, { label: 'Links', value: links.length, unit: 'peers' }] },
      boundedTable(
        'Links',
        [{ label: 'Peer' }, { label: 'Random' }, { label: 'Since', unit: 'ms' }, { label: 'RTT', unit: 'ms' }, { label: 'Trust', unit: 'fraction' }],
        links.map(([q, l]) => [q, l.random, l.since, Number.isNaN(l.rtt) ? null : Math.round(l.rtt * 10) / 10, Math.round(p.trust.score(q) * 1000) / 1000]),
        { peerColumn: 0 },
      ),
      boundedTable(
        'Trust table (least trusted first)',
        [{ label: 'Peer' }, { label: 'Score', unit: 'fraction' }, { label: 'Good (own)' }, { label: 'Bad (own)' }, { label: 'Good (heard)' }, { label: 'Bad (heard)' }, { label: 'Blacklisted' }],
        reps.map(([q, r]) => [q, Math.round(p.trust.score(q) * 1000) / 1000, round2(r.rd), round2(r.sd), round2(r.ri), round2(r.si), r.blacklisted]),
        { peerColumn: 0 },
      ),
    ],
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
