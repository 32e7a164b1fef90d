/**
 * What a load found wrong, and how it is told. A report holds counts of every problem but only
 * the first few in full (and each kind of warning once): a file where every entry warns must not
 * carry an object per entry into the served snapshot. `registry validate` asks to keep them all.
 */
import { escapeControl } from "../log.ts";
import type { Shape } from "./shapes.ts";

export interface EntryProblem {
	/** Where the entry is in the file, as a JSON path: `servers[3]` or `[3]`. */
	entry: string;
	name?: string;
	version?: string;
	field: string;
	message: string;
}

/** Every problem of one level counted; the first `keep` of them, in file order, in full. */
export interface Problems {
	count: number;
	first: EntryProblem[];
}

/** One kind of warning (a field and a message): how many entries have it, and the first. */
export interface WarningKind {
	message: string;
	count: number;
	first: EntryProblem;
}

export interface LoadReport {
	file: string;
	shape: Shape;
	total: number;
	loaded: number;
	skipped: number;
	/** `entries`: how many entries the errors are about. */
	errors: Problems & { entries: number };
	/** `kinds`: every kind of warning, in the order first seen. */
	warnings: Problems & { kinds: WarningKind[] };
}

/** How many errors and warnings a report keeps in full unless told otherwise. */
export const KEEP_PROBLEMS = 20;

export class RegistryLoadError extends Error {
	constructor(
		message: string,
		readonly report?: LoadReport,
	) {
		super(message);
		this.name = "RegistryLoadError";
	}
}

/** Collects a load's problems as they are found, keeping `keep` of each level in full. */
export class ProblemLog {
	private readonly errors = { count: 0, entries: 0, first: [] as EntryProblem[] };
	private readonly warnings = { count: 0, first: [] as EntryProblem[] };
	private readonly kinds = new Map<string, WarningKind>();

	constructor(private readonly keep: number = KEEP_PROBLEMS) {}

	get errorCount(): number {
		return this.errors.count;
	}

	/** The problems that make one entry invalid. */
	invalid(problems: readonly EntryProblem[]): void {
		if (problems.length === 0) return;
		const e = this.errors;
		e.entries++;
		e.count += problems.length;
		for (const p of problems) if (e.first.length < this.keep) e.first.push(p);
	}

	warning(p: EntryProblem): void {
		const w = this.warnings;
		w.count++;
		if (w.first.length < this.keep) w.first.push(p);
		const kind = `${p.field} ${p.message}`;
		const k = this.kinds.get(kind);
		if (k) k.count++;
		else this.kinds.set(kind, { message: kind, count: 1, first: p });
	}

	report(head: Pick<LoadReport, "file" | "shape" | "total" | "loaded">): LoadReport {
		return {
			...head,
			skipped: head.total - head.loaded,
			errors: { ...this.errors },
			warnings: { ...this.warnings, kinds: [...this.kinds.values()] },
		};
	}
}

/** The report of a load that found nothing, not even a file. */
export function emptyReport(file: string, shape: Shape): LoadReport {
	return new ProblemLog().report({ file, shape, total: 0, loaded: 0 });
}

/**
 * One problem on one line. The entry's name and version come from the file: control characters
 * in them are shown escaped, so a hostile name cannot break the report (or a log) into lines.
 */
export function describeProblem(p: EntryProblem): string {
	const who = p.name ? ` (${p.name}${p.version !== undefined ? ` ${p.version}` : ""})` : "";
	return escapeControl(`${p.entry}${who}: ${p.field ? `${p.field} ` : ""}${p.message}`);
}

const MAX_LISTED = 20;

export function describeErrors(report: LoadReport): string {
	const { count, entries, first } = report.errors;
	const lines = first.slice(0, MAX_LISTED).map((p) => `  ${describeProblem(p)}`);
	if (count > lines.length) lines.push(`  … and ${count - lines.length} more`);
	return `${report.file}: ${entries} invalid ${entries === 1 ? "entry" : "entries"} of ${report.total} (MCP_REGISTRY_INVALID_ENTRIES=reject refuses the whole file; "skip" drops them):\n${lines.join("\n")}`;
}

/** Warnings grouped by kind, for one log line each per load. */
export function summariseWarnings(report: LoadReport): { message: string; count: number; first: string }[] {
	return report.warnings.kinds.map((k) => ({
		message: k.message,
		count: k.count,
		first: describeProblem(k.first),
	}));
}
