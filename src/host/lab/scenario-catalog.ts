/**
 * The scenarios a lab can load: the bundled folder's files (listed with a one-line description each),
 * text typed in the dashboard, and parse-only validation with every problem's path for the editor.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { ScenarioError } from '../../lab/errors.js';
import { drivers as registryDrivers } from '../../lab/registry.js';
import { parseScenario, type Scenario } from '../../lab/scenario.js';
import type { ProtocolDriver } from '../../protocols/driver.js';
import type { ScenarioInfo } from '../lab-group.js';
import { CommandError } from '../router.js';

export class ScenarioCatalog {
  constructor(
    /** Folder of bundled scenarios (`*.yaml`, `*.yml`, `*.json`), or null. */
    readonly dir: string | null,
    /** Drivers for `protocol.type` (undefined: the lab's registry). */
    readonly drivers: Record<string, ProtocolDriver> | undefined,
  ) {}

  /** The driver of a protocol type, or undefined. */
  driver(type: string): ProtocolDriver | undefined {
    return (this.drivers ?? registryDrivers)[type];
  }

  /** `baseDir` resolves relative paths inside the scenario (churn.traceFile); by default its file's folder. */
  parse(input: string, source: string, baseDir?: string): Scenario {
    return parseScenario(input, source, this.drivers, baseDir !== undefined ? { baseDir } : {});
  }

  /** Text typed in the dashboard has no file: its relative paths are taken from the scenarios folder. */
  parseTyped(text: string, source: string): Scenario {
    return this.parse(text, source, this.dir ?? undefined);
  }

  list(): ScenarioInfo[] {
    const dir = this.dir;
    if (!dir) return [];
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
    } catch {
      return [];
    }
    const out: ScenarioInfo[] = [];
    for (const f of files) {
      const name = basename(f, extname(f));
      let description = '';
      try {
        const s = this.parse(readFileSync(join(dir, f), 'utf8'), join(dir, f));
        description = s.description || `${s.peers} peers, ${s.protocol.type}`;
      } catch (err) {
        description = `(does not load: ${(err as Error).message.split('\n')[0]})`;
      }
      out.push({ name, description, file: f });
    }
    return out;
  }

  /** A bundled scenario by name: its text and parsed form. */
  bundled(name: string): { text: string; scenario: Scenario } {
    const info = this.list().find((s) => s.name === name);
    if (!info || !this.dir) {
      const known = this.list().map((s) => s.name);
      throw new CommandError(`no bundled scenario '${name}' (known: ${known.join(', ') || 'none'})`);
    }
    const path = join(this.dir, info.file);
    const text = readFileSync(path, 'utf8');
    return { text, scenario: this.parse(text, path) };
  }

  /** Parses a scenario text without loading it: every problem with its path. */
  validate(text: string): { ok: boolean; issues: { path: string; message: string }[] } {
    try {
      // parsing checks everything, the driver's combinations included: nothing is built to find a problem
      this.parseTyped(text, '<editor>');
      return { ok: true, issues: [] };
    } catch (err) {
      if (err instanceof ScenarioError) return { ok: false, issues: err.issues.map((i) => ({ path: i.path, message: i.problem })) };
      const e = err as Error;
      if (e.name === 'ConfigError' || e.name === 'RangeError' || e.name.endsWith('Error')) return { ok: false, issues: [{ path: '', message: e.message }] };
      throw err;
    }
  }
}
