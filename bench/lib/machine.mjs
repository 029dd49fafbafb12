import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export function machine() {
  let cpu = 'unknown';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpu;
  } catch { /* not Linux: leave unknown */ }
  // The load average says how busy the machine was: timings on a shared 2-core machine
  // move with it, so it belongs next to them.
  return { nproc: availableParallelism(), cpu, node: process.version, load: loadavg()[0].toFixed(1) };
}
