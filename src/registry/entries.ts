/**
 * Every entry of a registry file checked, one at a time: its structure (duplicate keys, depth,
 * as the scanner found them), its document and official metadata (official.ts), and no second
 * (name, version); what is wrong goes into the report, and with
 * MCP_REGISTRY_INVALID_ENTRIES=reject any error refuses the file. A load keeps each valid entry
 * (load.ts); `registry validate` only counts them (checkSteps).
 */
import { collectGarbage } from "../runtime.ts";
import type { BuildOptions } from "./load.ts";
import { type Entry, normalise } from "./official.ts";
import { type Steps, wait } from "./pace.ts";
import {
	describeErrors,
	type EntryProblem,
	type LoadReport,
	ProblemLog,
	RegistryLoadError,
} from "./report.ts";
import type { FieldProblem } from "./schema.ts";
import { entryAt, type ItemSource, rawEntry, type Shape } from "./shapes.ts";
import { type Timestamp, timestampFromDate } from "./time.ts";

const GC_EVERY = 4096;

/** What `registry validate` needs of a load: the counts and the report, no data to serve. */
export interface CheckedFile {
	shape: Shape;
	/** Entries that would be served, and their distinct names. */
	entries: number;
	servers: number;
	report: LoadReport;
}

/** A name with more versions than this finds them in a Map rather than along its chain. */
const CHAIN = 16;

/**
 * The (name, version) pairs a load has kept, with the index of each in the file. The strings
 * are the entries' own: no "name\0version" key is made and kept for every entry.
 */
class Seen {
	/** Name → its last record (a chain through `previous`), or a Map of its versions. */
	private readonly byName = new Map<string, number | Map<string, number>>();
	private readonly versions: string[] = [];
	private readonly index: number[] = [];
	private readonly previous: number[] = [];

	/** Where (name, version) was first kept, or -1 after keeping it, at `index`. */
	firstOrAdd(name: string, version: string, index: number): number {
		const head = this.byName.get(name);
		if (head instanceof Map) {
			const first = head.get(version);
			if (first !== undefined) return first;
			head.set(version, index);
			return -1;
		}
		let length = 0;
		for (let r = head ?? -1; r >= 0; r = this.previous[r] as number, length++) {
			if (this.versions[r] === version) return this.index[r] as number;
		}
		if (length >= CHAIN) {
			const all = new Map<string, number>([[version, index]]);
			for (let r = head as number; r >= 0; r = this.previous[r] as number) {
				all.set(this.versions[r] as string, this.index[r] as number);
			}
			this.byName.set(name, all);
			return -1;
		}
		this.versions.push(version);
		this.index.push(index);
		this.previous.push(head ?? -1);
		this.byName.set(name, this.versions.length - 1);
		return -1;
	}
}

/**
 * A young collection every this many bytes of entries parsed: the garbage of parsing and
 * checking is several times the entries' size, and the heap would otherwise grow by all of it
 * between collections (each costs well under a millisecond here).
 */
const GC_BYTES = 512 << 10;

/** What checking one entry found: the entry to keep, or the problems that keep it out. */
export type Outcome =
	| { entry: Entry; problems?: undefined }
	| { entry?: undefined; problems: EntryProblem[] };

/**
 * Checks entry i of a source (prepared, when the source reads its entries): its structure, as the
 * scanner found it, then its document and official metadata (official.ts).
 */
export function checkEntry(source: ItemSource, i: number, fallback: Timestamp, serialise: boolean): Outcome {
	const structural = source.problem?.(i);
	if (structural) {
		const { path, message } = structural;
		const entry = entryAt(source.shape, i);
		return { problems: [{ entry, field: path, message: path ? message : `the entry ${message}` }] };
	}
	const bytes = serialise ? source.docBytes?.(i) : undefined;
	const normalised = normalise(rawEntry(source.item(i), i, source.shape), fallback, serialise, bytes);
	return normalised.entry ? { entry: normalised.entry } : { problems: normalised.problems };
}

/**
 * A load's entries told in file order, checked or not here: the report, and the one rule that
 * needs every entry before it, that no (name, version) is kept twice. A load checks and tells
 * one entry after the other (entrySteps); a load in parts checks them apart and tells them here
 * in order after (parts.ts): either way the same report.
 */
export class Tally {
	private readonly problems: ProblemLog;
	private readonly seen = new Seen();
	loaded = 0;

	constructor(
		private readonly shape: Shape,
		keepProblems?: number,
	) {
		this.problems = new ProblemLog(keepProblems);
	}

	/** Entry i is invalid. */
	invalid(problems: readonly EntryProblem[]): void {
		this.problems.invalid(problems);
	}

	/** Entry i is valid: true to keep it, false when its (name, version) came before (an error). */
	valid(i: number, name: string, version: string, advice: readonly FieldProblem[]): boolean {
		const { shape } = this;
		const first = this.seen.firstOrAdd(name, version, i);
		if (first >= 0) {
			this.problems.invalid([
				{
					entry: entryAt(shape, i),
					name,
					version,
					field: "version",
					message: `duplicate of ${entryAt(shape, first)}: the same name and version appear twice`,
				},
			]);
			return false;
		}
		for (const a of advice) this.problems.warning({ entry: entryAt(shape, i), name, version, ...a });
		this.loaded++;
		return true;
	}

	/** The report of `total` entries; with MCP_REGISTRY_INVALID_ENTRIES=reject any error throws. */
	report(options: BuildOptions, total: number): LoadReport {
		const { file } = options;
		const report = this.problems.report({ file, shape: this.shape, total, loaded: this.loaded });
		if (report.errors.count > 0 && options.invalidEntries === "reject") {
			throw new RegistryLoadError(describeErrors(report), report);
		}
		return report;
	}
}

/**
 * Validates every entry of a source, one at a time, and hands each valid one to `keep`; what was
 * wrong goes into the report, and with MCP_REGISTRY_INVALID_ENTRIES=reject any error throws.
 */
export function* entrySteps(
	source: ItemSource,
	options: BuildOptions,
	serialise: boolean,
	keep: (e: Entry) => void,
): Steps<LoadReport> {
	const fallback = timestampFromDate(options.mtime);
	const tally = new Tally(source.shape, options.keepProblems);
	let parsed = 0;
	for (let i = 0; i < source.count; i++) {
		// One entry at a time: its parsed form is garbage as soon as it is normalised. Collect
		// that garbage as we go, or the heap grows to several times the file before it is.
		parsed += source.size?.(i) ?? GC_BYTES / GC_EVERY;
		if (parsed >= GC_BYTES) {
			collectGarbage(false);
			parsed = 0;
		}
		if (i % 64 === 63) yield;
		const reading = source.prepare?.(i);
		if (reading) yield* wait(reading);
		const outcome = checkEntry(source, i, fallback, serialise);
		const { entry } = outcome;
		if (!entry) tally.invalid(outcome.problems);
		else if (tally.valid(i, entry.name, entry.version, entry.advice)) keep(entry);
	}
	return tally.report(options, source.count);
}

/** The entries validated and counted, nothing built: `registry validate`'s load. */
export function* checkSteps(source: ItemSource, options: BuildOptions): Steps<CheckedFile> {
	const names = new Set<string>();
	let entries = 0;
	const report = yield* entrySteps(source, options, false, (e) => {
		names.add(e.name);
		entries++;
	});
	return { shape: source.shape, entries, servers: names.size, report };
}
