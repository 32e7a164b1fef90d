/**
 * Commands besides serving: `validate` checks registry files with exactly the server's loader
 * (for pipelines, before an upload), and `healthcheck` asks a running server whether it is
 * healthy (for container health checks where there is no curl).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import * as v from "valibot";
import { fileByteLimitOf } from "./config/variables.ts";
import type { ListenAddress } from "./config.ts";
import { escapeControl } from "./log.ts";
import { redactText, redactUrl } from "./redact.ts";
import {
	checkRegistryFile,
	FileTooLargeError,
	type InvalidEntries,
	RegistryLoadError,
} from "./registry/load.ts";
import { describeErrors, describeProblem, type EntryProblem, type LoadReport } from "./registry/report.ts";

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
	/** With --strict: how many of `errors` were warnings the server accepts. */
	strictErrors?: number;
}

/**
 * Loads a file as the server would and reports every error and warning. `maxBytes`: the server's
 * MCP_REGISTRY_MAX_FILE_BYTES (a larger file is refused unread, as the server refuses it).
 */
export async function validateFile(
	file: string,
	invalidEntries: InvalidEntries,
	maxBytes?: number,
	path: string = file,
): Promise<FileResult> {
	try {
		// The server's load without what it builds to serve: the same checks in less memory.
		const checked = await checkRegistryFile(path, {
			invalidEntries,
			keepProblems: Infinity,
			maxBytes,
			name: file,
		});
		return {
			file,
			ok: true,
			shape: checked.shape,
			entries: checked.entries,
			servers: checked.servers,
			errors: checked.report.errors.first,
			warnings: checked.report.warnings.first,
		};
	} catch (err) {
		return failedResult(file, err);
	}
}

/** A load's failure as a file's result: whatever went wrong is this file's error, never a stack trace. */
export function failedResult(file: string, err: unknown): FileResult {
	if (!(err instanceof RegistryLoadError)) {
		return { file, ok: false, error: `${file}: ${(err as Error).message}`, errors: [], warnings: [] };
	}
	const report: LoadReport | undefined = err.report;
	if (!report) return { file, ok: false, error: err.message, errors: [], warnings: [] };
	return {
		file,
		ok: false,
		shape: report.shape,
		error: describeErrors(report).split("\n")[0],
		errors: report.errors.first,
		warnings: report.warnings.first,
	};
}

/** How many entries of each kind of warning the text report lists (--format json lists all). */
export const WARNINGS_SHOWN_PER_KIND = 3;

/** `--strict`: the warnings become errors, and a file with any does not pass. */
export function strictResult(r: FileResult): FileResult {
	if (r.warnings.length === 0) return r;
	const entries = new Set(r.warnings.map((w) => w.entry)).size;
	const error = `${r.file}: ${entries} ${entries === 1 ? "entry has" : "entries have"} warnings, errors with --strict`;
	return {
		...r,
		ok: false,
		error: r.ok ? error : r.error,
		errors: [...r.errors, ...r.warnings],
		warnings: [],
		strictErrors: r.warnings.length,
	};
}

function textReport(r: FileResult, quiet: boolean): string {
	const lines: string[] = [];
	if (r.ok) {
		const skipped =
			r.errors.length > 0 ? `, ${new Set(r.errors.map((e) => e.entry)).size} invalid entries skipped` : "";
		lines.push(
			`${r.file}: ok: ${r.entries} entries (${r.servers} servers, ${r.shape} shape)${skipped}, ${r.warnings.length} warnings`,
		);
	} else {
		// A whole-file error quotes the file's own bytes: shown escaped, on one line.
		lines.push(
			escapeControl(
				r.errors.length > 0 ? `${r.file}: invalid: ${r.error?.replace(`${r.file}: `, "")}` : `${r.error}`,
			),
		);
	}
	for (const e of r.errors) lines.push(`  error: ${describeProblem(e)}`);
	if (!quiet) lines.push(...warningSummary(r.warnings));
	return `${lines.join("\n")}\n`;
}

/** Warnings by kind (field and message), in the order first seen: the first few of each, and how many more. */
function warningSummary(warnings: readonly EntryProblem[]): string[] {
	const kinds = new Map<string, EntryProblem[]>();
	for (const w of warnings) {
		const kind = `${w.field} ${w.message}`;
		const list = kinds.get(kind);
		if (list) list.push(w);
		else kinds.set(kind, [w]);
	}
	const lines: string[] = [];
	for (const [kind, list] of kinds) {
		for (const w of list.slice(0, WARNINGS_SHOWN_PER_KIND)) lines.push(`  warning: ${describeProblem(w)}`);
		const more = list.length - WARNINGS_SHOWN_PER_KIND;
		if (more > 0)
			lines.push(escapeControl(`    … and ${more} more: ${kind} (${list.length} entries in all)`));
	}
	return lines;
}

/** What a command speaks through: standard output, standard error, the environment. */
export interface CommandIo {
	out: (text: string) => void;
	err: (text: string) => void;
	env: Record<string, string | undefined>;
}

/** The commands that take their own arguments. */
const COMMANDS = ["validate", "healthcheck", "pull", "diff", "publish"] as const;
type Command = (typeof COMMANDS)[number];

export type CommandLine =
	| { command: "serve" | "help" | "version" }
	| { command: Command; args: string[] }
	/** Exit 2 with this message. */
	| { command: "usage-error"; message: string };

/**
 * Arguments through parseArgs, in order. An option counts only as written out alone (`-h`, not
 * `-hv`) or, when it takes a value, as `--name=value`; anything else is for the caller to refuse.
 */
function tokensOf(args: string[], options: ParseArgsOptionsConfig) {
	return parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true }).tokens;
}

/** The command line: `registry [serve] [--help|-h] [--version|-v]`, or a command and its arguments. */
export function parseCommandLine(argv: string[]): CommandLine {
	const [first, ...rest] = argv;
	if ((COMMANDS as readonly string[]).includes(first as string))
		return { command: first as Command, args: rest };
	const args = first === "serve" ? rest : argv;
	const tokens = tokensOf(args, {
		help: { type: "boolean", short: "h" },
		version: { type: "boolean", short: "v" },
	});
	const given = (name: string) =>
		tokens.some((t) => t.kind === "option" && t.name === name && t.rawName === args[t.index]);
	if (given("help")) return { command: "help" };
	if (given("version")) return { command: "version" };
	if (args.length > 0) {
		return {
			command: "usage-error",
			message: `unknown argument ${JSON.stringify(args[0])}; see registry --help`,
		};
	}
	return { command: "serve" };
}

export const VALIDATE_USAGE = `Usage: registry validate [--strict] [--skip-invalid] [--quiet] [--format text|json] FILE...

Loads each registry file with exactly the rules the server uses and prints every error and
warning with its entry and field. Exits 1 when a file would not load (with --skip-invalid: only
when a file cannot be read or parsed at all, as MCP_REGISTRY_INVALID_ENTRIES=skip would), else 0.
A file over MCP_REGISTRY_MAX_FILE_BYTES (default 256 MiB) is refused unread, as the server would.

  FILE             a registry file; - reads standard input
  --strict         warnings (constraints of server.json the server tolerates: a missing or older
                   $schema, an empty or long description, a repository without url or source)
                   are errors: exit 1 unless every entry is one upstream would accept
  --skip-invalid   as MCP_REGISTRY_INVALID_ENTRIES=skip: invalid entries are dropped, not fatal
                   (not with --strict)
  --quiet          print only the errors and one summary line per file
  --format FORMAT  text (default: warnings summarised by kind, the first ${WARNINGS_SHOWN_PER_KIND} entries of each)
                   or json (every error and warning, in full)
  -h, --help       print this help and exit
`;

const VALIDATE_OPTIONS = {
	format: { type: "string" },
	"skip-invalid": { type: "boolean" },
	strict: { type: "boolean" },
	quiet: { type: "boolean" },
	help: { type: "boolean", short: "h" },
} as const;

/** What `-` names in reports. */
export const STDIN_NAME = "<stdin>";

/**
 * Standard input into a temporary regular file (what the loader reads), refused once it is past
 * `maxBytes` as a file would be. Returns the file and a function that removes it.
 */
export async function stdinToFile(
	maxBytes: number,
	input: AsyncIterable<Uint8Array> = process.stdin,
): Promise<{ path: string; remove: () => void }> {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of input) {
		size += chunk.byteLength;
		if (size > maxBytes) throw new FileTooLargeError(STDIN_NAME, maxBytes, maxBytes, false);
		chunks.push(chunk);
	}
	const dir = mkdtempSync(join(tmpdir(), "registry-validate-"));
	const path = join(dir, "stdin.json");
	writeFileSync(path, Buffer.concat(chunks), { mode: 0o600 });
	return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function validateCommand(
	args: string[],
	out: (s: string) => void,
	env: Record<string, string | undefined> = process.env,
	stdin?: AsyncIterable<Uint8Array>,
): Promise<number> {
	let format: "text" | "json" = "text";
	let invalidEntries: InvalidEntries = "reject";
	let strict = false;
	let quiet = false;
	const files: string[] = [];
	for (const t of tokensOf(args, VALIDATE_OPTIONS)) {
		if (t.kind === "positional") {
			files.push(t.value);
			continue;
		}
		const option =
			t.kind === "option" && (t.rawName === args[t.index] || t.name === "format") ? t : undefined;
		if (option?.name === "format") {
			if (option.value !== "text" && option.value !== "json") {
				out(`registry validate: --format takes text or json\n`);
				return 2;
			}
			format = option.value;
		} else if (option?.name === "skip-invalid") invalidEntries = "skip";
		else if (option?.name === "strict") strict = true;
		else if (option?.name === "quiet") quiet = true;
		else if (option?.name === "help") {
			out(VALIDATE_USAGE);
			return 0;
		} else {
			out(`registry validate: unknown option ${args[t.index]}\n${VALIDATE_USAGE}`);
			return 2;
		}
	}
	if (files.length === 0) {
		out(VALIDATE_USAGE);
		return 2;
	}
	if (strict && invalidEntries === "skip") {
		out(`registry validate: --strict and --skip-invalid exclude each other\n${VALIDATE_USAGE}`);
		return 2;
	}
	if (files.filter((f) => f === "-").length > 1) {
		out(`registry validate: - (standard input) can be given once\n${VALIDATE_USAGE}`);
		return 2;
	}
	let maxBytes: number;
	try {
		maxBytes = fileByteLimitOf(env);
	} catch (err) {
		out(`registry validate: ${(err as Error).message}\n`);
		return 2;
	}
	const results: FileResult[] = [];
	for (const f of files) {
		let result: FileResult;
		if (f === "-") {
			let temp: { path: string; remove: () => void } | undefined;
			try {
				temp = await stdinToFile(maxBytes, stdin);
				result = await validateFile(STDIN_NAME, invalidEntries, maxBytes, temp.path);
			} catch (err) {
				result = { file: STDIN_NAME, ok: false, error: (err as Error).message, errors: [], warnings: [] };
			} finally {
				temp?.remove();
			}
		} else result = await validateFile(f, invalidEntries, maxBytes);
		results.push(strict ? strictResult(result) : result);
	}
	// As JSON, the summary line stands alone: without the colon that introduces the text's list.
	const forJson = results.map((r) =>
		r.error === undefined ? r : { ...r, error: r.error.replace(/:$/, "") },
	);
	if (format === "json") out(`${JSON.stringify(forJson, null, 2)}\n`);
	else for (const r of results) out(textReport(r, quiet));
	return results.every((r) => r.ok) ? 0 : 1;
}

/** The health URL of a server listening on `address` (all interfaces → loopback). */
export function healthUrlFor(address: ListenAddress, https = false): string {
	const host = ["0.0.0.0", "::", ""].includes(address.hostname)
		? "127.0.0.1"
		: address.hostname.includes(":")
			? `[${address.hostname}]`
			: address.hostname;
	return `${https ? "https" : "http"}://${host}:${address.port}/v0/health`;
}

export const HEALTHCHECK_USAGE = `Usage: registry healthcheck [URL]

Exits 0 when the server answers 200 with status "ok", else 1. URL is a health URL
(http://host:8080/v0/health) or the server's base URL (http://host:8080, which asks its
/v0/health); default: /v0/health at MCP_REGISTRY_SERVER_ADDRESS.
`;

const HEALTHCHECK_OPTIONS = { help: { type: "boolean", short: "h" } } as const;

/** The URL to ask for an http(s) URL argument: as given, or /v0/health for a base URL (path empty or /). */
function healthUrlFromArgument(arg: string): string | undefined {
	let url: URL;
	try {
		url = new URL(arg);
	} catch {
		return undefined;
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
	if (url.pathname !== "/") return arg;
	url.pathname = "/v0/health";
	return url.href;
}

/** What /health answers; only its status is read. */
const HealthAnswer = v.object({ status: v.optional(v.unknown()) });

export async function healthcheckCommand(
	args: string[],
	address: ListenAddress,
	out: (s: string) => void,
	/** The server serves HTTPS (MCP_REGISTRY_TLS_CERT_FILE is set): the default URL is https://. */
	https = false,
): Promise<number> {
	const tokens = tokensOf(args, HEALTHCHECK_OPTIONS);
	// --help (or -h, written alone) wins wherever it is, as `registry --help` does.
	if (tokens.some((t) => t.kind === "option" && t.name === "help" && t.rawName === args[t.index])) {
		out(HEALTHCHECK_USAGE);
		return 0;
	}
	const usageError = (message: string) => {
		out(`registry healthcheck: ${message}\n${HEALTHCHECK_USAGE}`);
		return 2;
	};
	let url: string | undefined;
	for (const t of tokens) {
		if (t.kind !== "positional") return usageError(`unknown option ${args[t.index]}`);
		if (url !== undefined) return usageError(`unexpected argument ${JSON.stringify(redactUrl(t.value))}`);
		url = healthUrlFromArgument(t.value);
		if (url === undefined) return usageError(`${JSON.stringify(redactUrl(t.value))} is not an http(s) URL`);
	}
	url ??= healthUrlFor(address, https);
	// As the URL is shown: without a password, on one line.
	const shown = escapeControl(redactUrl(url));
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: "manual" });
		const text = await res.text();
		let status: unknown;
		try {
			status = v.parse(HealthAnswer, JSON.parse(text)).status;
		} catch {}
		if (res.status === 200 && status === "ok") {
			out(`${shown}: ok\n`);
			return 0;
		}
		out(
			`${shown}: unhealthy: HTTP ${res.status}${status !== undefined ? `, status ${JSON.stringify(status)}` : ""}\n`,
		);
		return 1;
	} catch (err) {
		out(`${shown}: unreachable: ${escapeControl(redactText((err as Error).message))}\n`);
		return 1;
	}
}
