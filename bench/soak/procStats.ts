// What Linux's /proc says about a process tree: resident memory per process, and the threads of one process.
import fs from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The executable's short name (/proc/PID/comm). */
  comm: string;
  /** The whole command line, arguments joined by spaces. */
  cmdline: string;
  rssBytes: number;
}

export interface ThreadGroup {
  /** Thread name (/proc/PID/task/TID/comm); Node names its worker threads only in newer versions. */
  name: string;
  count: number;
  /** User + system CPU of these threads since they started, seconds. */
  cpuS: number;
}

const CLOCK_TICKS_PER_S = 100;

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process or thread ended meanwhile
  }
}

/** Resident set size from /proc/PID/status (VmRSS), bytes; null when the process is gone. */
export function readRssBytes(pid: number): number | null {
  const status = readText(`/proc/${pid}/status`);
  const match = status && /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function readProc(pid: number): ProcInfo | null {
  const stat = readText(`/proc/${pid}/stat`);
  const rssBytes = readRssBytes(pid);
  if (!stat || rssBytes === null) return null;
  return {
    pid,
    ppid: Number(statFields(stat)[1]),
    comm: (readText(`/proc/${pid}/comm`) ?? '').trim(),
    cmdline: (readText(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim(),
    rssBytes,
  };
}

/** Every live process below `rootPid` (children, grandchildren, …), not the root itself. */
export function descendants(rootPid: number): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProc(Number(entry));
    if (info) all.push(info);
  }
  const found: ProcInfo[] = [];
  let frontier = [rootPid];
  while (frontier.length) {
    const children = all.filter((info) => frontier.includes(info.ppid));
    found.push(...children);
    frontier = children.map((info) => info.pid);
  }
  return found;
}

/** The threads of a process grouped by name, with their CPU time. */
export function threadGroups(pid: number): ThreadGroup[] {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const groups = new Map<string, ThreadGroup>();
  for (const tid of tids) {
    const name = (readText(`/proc/${pid}/task/${tid}/comm`) ?? '?').trim();
    const stat = readText(`/proc/${pid}/task/${tid}/stat`);
    if (!stat) continue;
    const fields = statFields(stat);
    // utime and stime are fields 14 and 15 of stat; statFields starts at field 3.
    const cpuS = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
    const group = groups.get(name) ?? { name, count: 0, cpuS: 0 };
    group.count += 1;
    group.cpuS += cpuS;
    groups.set(name, group);
  }
  return [...groups.values()].sort((a, b) => b.cpuS - a.cpuS);
}

/** Bytes of all files below a folder (read once at the end of a run: a recordings folder holds many files). */
export function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += fs.statSync(`${entry.parentPath}/${entry.name}`).size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}
