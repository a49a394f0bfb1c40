/**
 * Records a whole run headless (`peerlab run --record <file>`), through the very LabHost the dashboard
 * uses, so the file is the one the dashboard would have saved: frames every `everyMs` of virtual
 * time from 0 to the run's end.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { ScenarioError } from '../lab/errors.js';
import { parseAssignment, parseText, withOverride } from '../lab/scenario.js';
import type { ProtocolDriver } from '../protocols/driver.js';
import type { SavedRecording } from './lab-group.js';
import { Lab } from './lab/lab.js';

export interface RecordRunOptions {
  /** The scenario file (its folder resolves relative paths inside it) and its text. */
  file: string;
  text: string;
  seed?: number;
  /** `--set key.path=value` overrides: the recording carries the scenario with them applied. */
  set?: string[];
  drivers?: Record<string, ProtocolDriver>;
  /** Virtual ms between frames (default 250, what the dashboard shows at 1x). */
  everyMs?: number;
  /** Peers per frame at most (default 1000, as the dashboard draws). */
  maxPeers?: number;
}

/**
 * The scenario text to record: the file's own, or, with overrides, the document with them applied
 * (as YAML), so that simulating the recording's text again gives this very run.
 */
export function recordedText(o: Pick<RecordRunOptions, 'file' | 'text' | 'set'>): string {
  if (!o.set?.length) return o.text;
  let raw = parseText(o.text, o.file) as Record<string, unknown>;
  try {
    for (const a of o.set) {
      const { path, value } = parseAssignment(a);
      raw = withOverride(raw, path, value);
    }
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(e.issues, o.file);
    throw e;
  }
  return `# ${basename(o.file)} with ${o.set.map((a) => `--set ${a}`).join(' ')}\n${stringify(raw)}`;
}

export function recordRun(o: RecordRunOptions): SavedRecording {
  const host = new Lab({
    scenariosDir: dirname(o.file),
    emit: () => undefined,
    autoTick: false,
    maxPeers: o.maxPeers ?? 1000,
    ...(o.drivers ? { drivers: o.drivers } : {}),
  });
  host.load({ text: recordedText(o), ...(o.seed !== undefined ? { seed: o.seed } : {}) }, { source: o.file });
  host.recordStart({ everyMs: o.everyMs ?? 250 });
  host.seek(Number.MAX_SAFE_INTEGER); // to the end: stops there, or earlier if the run completes
  host.recordStop();
  return host.recordSave();
}

/** Writes a recording; gzip-compressed when the name ends in `.gz`. */
export async function writeRecording(path: string, rec: SavedRecording): Promise<void> {
  await writeFile(path, path.endsWith('.gz') ? gzipSync(rec.text) : rec.text);
}
