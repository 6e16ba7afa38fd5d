// A process's memory and CPU time as Linux keeps them under /proc: what the burst bench reads of the bot's process.
import fs from 'node:fs';

/** USER_HZ, the unit of the times in /proc/<pid>/stat: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** Resident memory now (VmRSS). */
  rssMb: number;
  /** The most resident memory since the process started, or since resetPeak (VmHWM). */
  peakRssMb: number;
  /** CPU time of all its threads (the model's worker included), user and system (utime + stime). */
  cpuSeconds: number;
}

/** Null where there is no /proc (not Linux). */
export function processUsage(pid: number): ProcessUsage | null {
  if (!fs.existsSync(`/proc/${pid}/stat`)) return null;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string): number => {
    const kb = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(status)?.[1];
    if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(kb) / 1024;
  };
  // The fields after the command name, which is in parentheses and may hold spaces or parentheses itself: the first
  // is the 3rd of the line (state), so utime and stime, the 14th and 15th, are the 12th and 13th of these.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: mb('VmRSS'), peakRssMb: mb('VmHWM'), cpuSeconds: ticks / TICKS_PER_SECOND };
}

/** Starts the process's VmHWM over from its RSS now (Linux 4.0 and later); false when that is not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
