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

/** The one latest entry of every name. */
export function chooseLatest<E extends Versioned>(entries: readonly E[]): Set<E> {
	const byName = new Map<string, E[]>();
	for (const e of entries) {
		const list = byName.get(e.name);
		if (list) list.push(e);
		else byName.set(e.name, [e]);
	}
	const latest = new Set<E>();
	for (const list of byName.values()) {
		const flagged = list.filter((e) => e.flaggedLatest === true);
		if (flagged.length === 1) {
			latest.add(flagged[0] as E);
			continue;
		}
		let best = list[0] as E;
		for (const e of list) {
			const c = compareVersions(e.version, best.version, e.published, best.published);
			// On equal precedence the version published first stays latest, as upstream keeps it.
			if (c > 0 || (c === 0 && e.published < best.published)) best = e;
		}
		latest.add(best);
	}
	return latest;
}
