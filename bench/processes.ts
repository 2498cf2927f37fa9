// CPU time of this process's descendants (Linux /proc): DynamoDB Local's JVM, which shares the
// machine's cores with the process under test, so a benchmark can say where the CPU went.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text !== '') children.push(...text.split(/\s+/).map(Number));
    } catch {
      // the task ended meanwhile
    }
  }
  return children;
}

/** Every live descendant of this process, parents first. */
function descendants(): number[] {
  const found: number[] = [];
  const queue = childrenOf(process.pid);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    found.push(pid);
    queue.push(...childrenOf(pid));
  }
  return found;
}

/** utime + stime of one process (all its threads), in microseconds; 0 once it is gone. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU microseconds used so far by every live descendant of this process, or undefined where
 * /proc cannot tell (not Linux). Resolution: 10 ms per process, so measure whole rounds.
 */
export function descendantsCpuMicros(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  let total = 0;
  for (const pid of descendants()) total += cpuOf(pid);
  return total;
}
