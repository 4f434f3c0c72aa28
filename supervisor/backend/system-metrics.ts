import { cpus, freemem, totalmem } from 'node:os';
import type { MachineMetrics } from './contract.js';

/** Summed CPU times of all cores at one instant (ms). */
export interface CpuTimes {
  idle: number;
  total: number;
}

export function readCpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Busy share of the machine between two samples, 0-100, two decimals (pure). */
export function cpuPercentBetween(prev: CpuTimes, next: CpuTimes): number {
  const total = next.total - prev.total;
  const idle = next.idle - prev.idle;
  if (total <= 0) return 0;
  return round2(clamp(((total - idle) / total) * 100));
}

/** Memory in use as a share of the machine, 0-100 (pure). */
export function memoryPercent(free: number, total: number): number {
  if (total <= 0) return 0;
  return round2(clamp(((total - free) / total) * 100));
}

/**
 * Samples real machine load: CPU as the busy share since the previous sample (so a heartbeat
 * reports the load over its own interval), memory as used/total.
 */
export class MetricsSampler {
  private last: CpuTimes = readCpuTimes();

  sample(): MachineMetrics {
    const now = readCpuTimes();
    const cpuPercent = cpuPercentBetween(this.last, now);
    this.last = now;
    return { cpuPercent, memoryPercent: memoryPercent(freemem(), totalmem()), uptimeSec: Math.floor(process.uptime()) };
  }
}

function clamp(v: number): number {
  return Math.min(100, Math.max(0, v));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
