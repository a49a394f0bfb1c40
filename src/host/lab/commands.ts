/**
 * The `lab.*` commands on a `Lab`. Arguments arrive validated (the router checks every frame against
 * lab-group.ts before it reaches the worker); defaults are filled here.
 */
import type { z } from 'zod';
import type { labGroup } from '../lab-group.js';
import { CommandError } from '../router.js';
import type { Lab } from './lab.js';

type Commands = (typeof labGroup)['commands'];
type Args<K extends keyof Commands> = z.output<Commands[K]['args']>;

export function handleLabCall(lab: Lab, cmd: string, raw: unknown): unknown {
  const a = (raw ?? {}) as Record<string, unknown>;
  switch (cmd as keyof Commands) {
    case 'lab.scenarios':
      return lab.scenarios();
    case 'lab.load':
      return lab.load(a as Args<'lab.load'>);
    case 'lab.play':
      return lab.play();
    case 'lab.pause':
      return lab.pause();
    case 'lab.step':
      return lab.step((a as Args<'lab.step'>).ms ?? 100);
    case 'lab.speed':
      return lab.setSpeed((a as Args<'lab.speed'>).speed);
    case 'lab.reset':
      return lab.reset((a as Args<'lab.reset'>).seed);
    case 'lab.state':
      return lab.state();
    case 'lab.snapshot':
      return lab.snapshot((a as Args<'lab.snapshot'>).maxPeers);
    case 'lab.seek':
      return lab.seek((a as Args<'lab.seek'>).timeMs);
    case 'lab.series':
      return lab.series((a as Args<'lab.series'>).maxPoints);
    case 'lab.record.start':
      return lab.recordStart(a as Args<'lab.record.start'>);
    case 'lab.record.stop':
      return lab.recordStop();
    case 'lab.record.save':
      return lab.recordSave();
    case 'lab.replay.open':
      return lab.replayOpen(a as Args<'lab.replay.open'>);
    case 'lab.replay.close':
      return lab.replayClose();
    case 'lab.replay.resimulate':
      return lab.replayResimulate();
    case 'lab.join': {
      const j = a as Args<'lab.join'>;
      return lab.join(j.maxPeers, j.maxPoints);
    }
    case 'lab.observation':
      return lab.observation();
    case 'lab.inspect':
      return lab.inspect((a as Args<'lab.inspect'>).peer);
    case 'lab.validate':
      return lab.validate((a as Args<'lab.validate'>).text);
    case 'lab.scenario.text':
      return { text: lab.scenarioText, source: lab.state().source };
    default:
      throw new CommandError(`unknown lab command '${cmd}'`);
  }
}
