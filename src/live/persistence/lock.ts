/**
 * One writer per update log: `<log>.lock` holds the writing process's pid and start time, created whole
 * (written beside it, then hard-linked into place, which fails if a lock is there). A lock whose process is gone (killed with -9, say) is stale and taken over; one whose process
 * runs (this one included: a second open in the same process is a second writer too) is refused with
 * LogLockedError. The start time (Linux: /proc/<pid>/stat) tells a reused pid from the writer.
 *
 * Limit: two processes taking over the same stale lock in the same instant could both succeed; the
 * host starts one process per peer, so that needs two hosts on one data folder racing a restart.
 */
import fs from 'node:fs';

export class LogLockedError extends Error {
  override name = 'LogLockedError';
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or '' where there is none. */
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function running(pid: number, start: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(pid);
  return start === '' || now === '' || now === start;
}

/** Takes the lock of `file`; returns its release. Throws LogLockedError if another writer holds it. */
export function lockLog(file: string): () => void {
  const lock = `${file}.lock`;
  const mine = `${process.pid} ${startTime(process.pid)}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    // written whole beside it, then linked into place: the lock never exists without its holder's pid
    const tmp = `${lock}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, mine, { mode: 0o644 });
    try {
      fs.linkSync(tmp, lock);
      return () => {
        try {
          if (fs.readFileSync(lock, 'utf8') === mine) fs.unlinkSync(lock);
        } catch {
          /* gone already */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    let holder = '';
    try {
      holder = fs.readFileSync(lock, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pidText, start = ''] = holder.trim().split(' ');
    const pid = Number(pidText);
    if (running(pid, start)) throw new LogLockedError(`${file} is being written by process ${pid} (${lock}); one writer per log`);
    fs.rmSync(lock, { force: true }); // stale: its process is gone
  }
  throw new LogLockedError(`${file}: could not take ${lock}`);
}
