/**
 * Commands besides serving: `validate` checks registry files with exactly the server's loader
 * (for pipelines, before an upload), and `healthcheck` asks a running server whether it is
 * healthy (for container health checks where there is no curl).
 */
import type { ListenAddress } from "./config.ts";
import {
	describeErrors,
	describeProblem,
	type EntryProblem,
	type InvalidEntries,
	type LoadReport,
	loadRegistryFile,
	RegistryLoadError,
} from "./registry/load.ts";

export interface FileResult {
	file: string;
	ok: boolean;
	shape?: string;
	entries?: number;
	servers?: number;
	/** Set when the file as a whole cannot be read or parsed. */
	error?: string;
	errors: EntryProblem[];
	warnings: EntryProblem[];
}

/** Loads a file as the server would and reports every error and warning. */
export async function validateFile(file: string, invalidEntries: InvalidEntries): Promise<FileResult> {
	try {
		const data = await loadRegistryFile(file, { invalidEntries });
		return {
			file,
			ok: true,
			shape: data.shape,
			entries: data.count,
			servers: data.nameCount,
			errors: data.report.errors,
			warnings: data.report.warnings,
		};
	} catch (err) {
		if (!(err instanceof RegistryLoadError)) throw err;
		const report: LoadReport | undefined = err.report;
		if (!report) return { file, ok: false, error: err.message, errors: [], warnings: [] };
		return {
			file,
			ok: false,
			shape: report.shape,
			error: describeErrors(report).split("\n")[0],
			errors: report.errors,
			warnings: report.warnings,
		};
	}
}

function textReport(r: FileResult): string {
	const lines: string[] = [];
	if (r.ok) {
		const skipped =
			r.errors.length > 0 ? `, ${new Set(r.errors.map((e) => e.entry)).size} invalid entries skipped` : "";
		lines.push(
			`${r.file}: ok: ${r.entries} entries (${r.servers} servers, ${r.shape} shape)${skipped}, ${r.warnings.length} warnings`,
		);
	} else {
		lines.push(
			r.errors.length > 0 ? `${r.file}: invalid: ${r.error?.replace(`${r.file}: `, "")}` : `${r.error}`,
		);
	}
	for (const e of r.errors) lines.push(`  error: ${describeProblem(e)}`);
	for (const w of r.warnings) lines.push(`  warning: ${describeProblem(w)}`);
	return `${lines.join("\n")}\n`;
}

export const VALIDATE_USAGE = `Usage: registry validate [--format text|json] [--skip-invalid] FILE...

Loads each registry file with exactly the rules the server uses and prints every error and
warning with its entry and field. Exits 1 when a file would not load (with --skip-invalid: only
when a file cannot be read or parsed at all, as MCP_REGISTRY_INVALID_ENTRIES=skip would), else 0.
`;

export async function validateCommand(args: string[], out: (s: string) => void): Promise<number> {
	let format: "text" | "json" = "text";
	let invalidEntries: InvalidEntries = "reject";
	const files: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const a = args[i] as string;
		if (a === "--format") {
			const f = args[++i];
			if (f !== "text" && f !== "json") {
				out(`registry validate: --format takes text or json\n`);
				return 2;
			}
			format = f;
		} else if (a.startsWith("--format=")) {
			const f = a.slice("--format=".length);
			if (f !== "text" && f !== "json") {
				out(`registry validate: --format takes text or json\n`);
				return 2;
			}
			format = f;
		} else if (a === "--skip-invalid") invalidEntries = "skip";
		else if (a === "--help" || a === "-h") {
			out(VALIDATE_USAGE);
			return 0;
		} else if (a.startsWith("-") && a !== "-") {
			out(`registry validate: unknown option ${a}\n${VALIDATE_USAGE}`);
			return 2;
		} else files.push(a);
	}
	if (files.length === 0) {
		out(VALIDATE_USAGE);
		return 2;
	}
	const results: FileResult[] = [];
	for (const f of files) results.push(await validateFile(f, invalidEntries));
	if (format === "json") out(`${JSON.stringify(results, null, 2)}\n`);
	else for (const r of results) out(textReport(r));
	return results.every((r) => r.ok) ? 0 : 1;
}

/** The health URL of a server listening on `address` (all interfaces → loopback). */
export function healthUrlFor(address: ListenAddress): string {
	const host = ["0.0.0.0", "::", ""].includes(address.hostname)
		? "127.0.0.1"
		: address.hostname.includes(":")
			? `[${address.hostname}]`
			: address.hostname;
	return `http://${host}:${address.port}/v0/health`;
}

export async function healthcheckCommand(
	args: string[],
	address: ListenAddress,
	out: (s: string) => void,
): Promise<number> {
	const url = args[0] ?? healthUrlFor(address);
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: "manual" });
		const text = await res.text();
		let status: unknown;
		try {
			status = (JSON.parse(text) as { status?: unknown }).status;
		} catch {}
		if (res.status === 200 && status === "ok") {
			out(`${url}: ok\n`);
			return 0;
		}
		out(
			`${url}: unhealthy: HTTP ${res.status}${status !== undefined ? `, status ${JSON.stringify(status)}` : ""}\n`,
		);
		return 1;
	} catch (err) {
		out(`${url}: unreachable: ${(err as Error).message}\n`);
		return 1;
	}
}
