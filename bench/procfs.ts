/**
 * What the bench reads of processes in /proc (Linux): CPU time, RSS and its peak, for a process
 * together with the processes it starts (the registry may build a new snapshot in a child
 * process: its CPU and memory are the registry's too).
 */

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

const TICK = (() => {
	const n = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim());
	return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** The fields of /proc/PID/stat from the state on (field 3 is [0]), or undefined if it is gone. */
function statFields(pid: number): string[] | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// The command name (field 2) is in parentheses and may contain spaces: count from after it.
		return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	} catch {
		return undefined;
	}
}

/** The processes started by `pid`, and theirs, alive now. */
export function descendants(pid: number): number[] {
	const parent = new Map<number, number>();
	for (const name of readdirSync("/proc")) {
		const p = Number(name);
		if (!Number.isInteger(p)) continue;
		const ppid = Number(statFields(p)?.[1]);
		if (ppid) parent.set(p, ppid);
	}
	const out: number[] = [];
	const wanted = new Set([pid]);
	// Parents may have higher numbers than their children (pids wrap): repeat until nothing is added.
	for (let added = true; added; ) {
		added = false;
		for (const [p, pp] of parent) {
			if (wanted.has(pp) && !wanted.has(p)) {
				wanted.add(p);
				out.push(p);
				added = true;
			}
		}
	}
	return out;
}

/** CPU seconds one process has used, with those of its children it has waited for. */
function ownCpu(pid: number): number {
	const f = statFields(pid);
	if (!f) return 0;
	// utime, stime, cutime, cstime: fields 14-17.
	return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICK;
}

/**
 * CPU seconds a process has used so far, all its threads, with the processes it started (those
 * still running and those it has waited for).
 */
export function processCpu(pid: number): number {
	return [pid, ...descendants(pid)].reduce((sum, p) => sum + ownCpu(p), 0);
}

/** CPU seconds the whole machine has been busy (user, nice, system, irq, softirq) so far. */
export function machineCpu(): number {
	const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
	const [, user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).map(Number);
	return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / TICK;
}

/** VmRSS or VmHWM (the peak RSS) of a process, KiB; 0 when it is gone. */
export function vmKiB(pid: number, field: "VmHWM" | "VmRSS"): number {
	try {
		const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
		return Number(m?.[1] ?? 0);
	} catch {
		return 0;
	}
}

/** Forgets a process's peak RSS: VmHWM starts again from the current RSS. */
export function resetPeak(pid: number): void {
	writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

export interface TreePeak {
	/** The highest VmHWM of any process the watched one started (a build process), KiB; 0: none. */
	child: number;
	/** The highest sum of the RSS of the process and those it started, sampled, KiB. */
	together: number;
	/** How many processes it started were seen. */
	children: number;
}

/**
 * Samples a process and the processes it starts every `everyMs` until stopped: the peak of any
 * child (its VmHWM, read last just before it ends, so at most one interval short) and of the sum
 * of their RSS (shared pages counted in each: an upper bound).
 */
export function watchTree(pid: number, everyMs = 25): { stop(): TreePeak } {
	const peak: TreePeak = { child: 0, together: 0, children: 0 };
	const seen = new Set<number>();
	const sample = () => {
		let together = vmKiB(pid, "VmRSS");
		for (const p of descendants(pid)) {
			seen.add(p);
			together += vmKiB(p, "VmRSS");
			peak.child = Math.max(peak.child, vmKiB(p, "VmHWM"));
		}
		peak.together = Math.max(peak.together, together);
	};
	sample();
	const timer = setInterval(sample, everyMs);
	return {
		stop() {
			clearInterval(timer);
			sample();
			peak.children = seen.size;
			return peak;
		},
	};
}
