/**
 * Which version of each name is the latest, as upstream decides it: the file's isLatest flag
 * when exactly one version has it, else the newest by compareVersions (semver.ts), the first
 * published winning a tie.
 */
import { compareVersions } from "./semver.ts";

export interface Versioned {
	name: string;
	version: string;
	/** When it was published, as a timestamp key (see time.ts). */
	published: string;
	flaggedLatest: boolean | undefined;
}

/**
 * The one latest entry of every name, of entries sorted by name (each name's entries side by
 * side): 1 for it, in list order.
 */
export function chooseLatestSorted<E extends Versioned>(entries: readonly E[]): Uint8Array {
	const flags = new Uint8Array(entries.length);
	for (let start = 0; start < entries.length; ) {
		const name = (entries[start] as E).name;
		let end = start + 1;
		while (end < entries.length && (entries[end] as E).name === name) end++;
		flags[latestOf(entries, start, end)] = 1;
		start = end;
	}
	return flags;
}

/** Where the latest of list[start, end) is, all of one name. */
function latestOf<E extends Versioned>(list: readonly E[], start: number, end: number): number {
	let flagged = -1;
	let flags = 0;
	for (let i = start; i < end; i++) {
		if ((list[i] as E).flaggedLatest === true) {
			flagged = i;
			flags++;
		}
	}
	if (flags === 1) return flagged;
	let best = start;
	for (let i = start; i < end; i++) {
		const e = list[i] as E;
		const b = list[best] as E;
		const c = compareVersions(e.version, b.version, e.published, b.published);
		// On equal precedence the version published first stays latest, as upstream keeps it.
		if (c > 0 || (c === 0 && e.published < b.published)) best = i;
	}
	return best;
}
