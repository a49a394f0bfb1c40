/**
 * Writes a synthetic churn trace in the format `parseChurnTrace` reads (src/sim/churn.ts): one session
 * a line, `peerId joinMs leaveMs [graceful|crash]`, sorted by join time. Sessions follow an alternating
 * renewal process (Weibull on-times, exponential off-times) drawn from the engine's seeded Rng, so the
 * same flags give the same file byte for byte. The shipped sample was made with:
 *
 *   npx tsx scripts/churn-trace.ts --peers 100 --seed 7 --minutes 10 > resources/scenarios/traces/kademlia-sessions.txt
 *
 * Flags: --peers N (100), --seed N (7), --minutes M (10), --on-mean-s S (180), --on-shape K (0.6),
 * --off-mean-s S (120), --online F (share of peers online at time 0, 0.8), --graceful P (0.3).
 */
import { parseArgs } from 'node:util';
import { sessionSampler } from '../src/sim/churn.js';
import { Rng } from '../src/core/index.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '100' },
    seed: { type: 'string', default: '7' },
    minutes: { type: 'string', default: '10' },
    'on-mean-s': { type: 'string', default: '180' },
    'on-shape': { type: 'string', default: '0.6' },
    'off-mean-s': { type: 'string', default: '120' },
    online: { type: 'string', default: '0.8' },
    graceful: { type: 'string', default: '0.3' },
  },
});
const num = (k: keyof typeof values): number => {
  const v = Number(values[k]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k}: expected a number >= 0, got ${JSON.stringify(values[k])}`);
  return v;
};
const peers = num('peers');
const seed = num('seed');
const endMs = num('minutes') * 60_000;
const rng = new Rng(seed);
const onTime = sessionSampler({ distribution: 'weibull', shape: num('on-shape'), meanMs: num('on-mean-s') * 1000 }, rng);
const offTime = sessionSampler({ distribution: 'exponential', meanMs: num('off-mean-s') * 1000 }, rng);
const onlineAtStart = num('online');
const gracefulP = num('graceful');

const sessions: { peer: number; join: number; leave: number; how: string }[] = [];
for (let p = 0; p < peers; p++) {
  let t = rng.float() < onlineAtStart ? 0 : Math.round(offTime());
  while (t < endMs) {
    const leave = Math.max(t + 1, Math.round(t + onTime()));
    const how = rng.float() < gracefulP ? 'graceful' : 'crash';
    sessions.push({ peer: p, join: t, leave, how });
    t = leave + Math.max(1, Math.round(offTime()));
  }
}
sessions.sort((a, b) => a.join - b.join || a.peer - b.peer);

const out = [
  `# churn trace: ${sessions.length} sessions of ${peers} peers over ${num('minutes')} min (times in virtual ms)`,
  `# made by: npx tsx scripts/churn-trace.ts --peers ${peers} --seed ${seed} --minutes ${num('minutes')}` +
    ` --on-mean-s ${num('on-mean-s')} --on-shape ${num('on-shape')} --off-mean-s ${num('off-mean-s')} --online ${onlineAtStart} --graceful ${gracefulP}`,
  '# Weibull on-times, exponential off-times; a session still open at the end is written as leaving at inf',
  '# peerId joinMs leaveMs [graceful|crash]',
  ...sessions.map((s) => (s.leave >= endMs ? `${s.peer} ${s.join} inf` : `${s.peer} ${s.join} ${s.leave} ${s.how}`)),
];
process.stdout.write(`${out.join('\n')}\n`);
