/**
 * A Node peer's key pair kept in its data directory as `key.pkcs8` (Ed25519, PKCS#8 DER, mode 0600), so a
 * restarted peer keeps its key and with it its peer id (trust-keys.ts). The file is created once,
 * atomically (written aside, then renamed), and never overwritten: a damaged key file is an error that
 * names the file, not a silent new identity. A key file others may read is refused, as ssh refuses one.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createPeerKeys, importPeerKeys, KeyError, type PeerKeys } from './trust-keys.js';

export const KEY_FILE = 'key.pkcs8';
/** An Ed25519 PKCS#8 key is 48 bytes; anything much larger is not one. */
const MAX_KEY_FILE = 4096;

/** The key pair in `<dataDir>/key.pkcs8`, created (0600) if there is none. Throws KeyError naming the file. */
export async function loadOrCreatePeerKeys(dataDir: string): Promise<PeerKeys> {
  const file = path.join(dataDir, KEY_FILE);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeyError(`${file}: ${(e as Error).message}`);
    return create(file);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new KeyError(`${file}: not a regular file`);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
      throw new KeyError(`${file}: readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    if (st.size > MAX_KEY_FILE) throw new KeyError(`${file}: ${st.size} bytes, not a key`);
    const bytes = new Uint8Array(await handle.readFile());
    try {
      return await importPeerKeys(bytes);
    } catch (e) {
      throw new KeyError(`${file}: ${(e as Error).message}`);
    }
  } finally {
    await handle.close();
  }
}

async function create(file: string): Promise<PeerKeys> {
  const keys = await createPeerKeys();
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(tmp, await keys.exportPkcs8(), { mode: 0o600, flag: 'wx' });
  try {
    // link, not rename: if another process made the file meanwhile, theirs stays and we read it
    await fs.link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new KeyError(`${file}: ${(e as Error).message}`);
    await fs.unlink(tmp);
    return loadOrCreatePeerKeys(path.dirname(file));
  }
  await fs.unlink(tmp);
  return keys;
}
