/**
 * `registry diff OLD NEW`: what changes for clients when NEW is served in place of OLD. Both
 * files are read with the server's own loader (any shape it accepts, on either side), so the
 * entries compared are exactly the entries each would serve; they are keyed by name and version.
 * Entries whose served bytes are equal are equal: only those that differ are parsed, to say which
 * fields changed, so two files of 50,000 entries compare in about the time it takes to load them.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { type CommandIo, STDIN_NAME, stdinToFile } from "../cli.ts";
import { fileByteLimitOf } from "../config/variables.ts";
import { escapeControl, escapeLines } from "../log.ts";
import { type InvalidEntries, RegistryLoadError } from "../registry/load.ts";
import { OFFICIAL } from "../registry/official.ts";
import { byNameVersion } from "../registry/parts.ts";
import type { Status } from "../registry/snapshot.ts";
import { PULL_META, parseRecord, type RegistryRecord, readRegistry } from "./records.ts";

/** A version of a server: its name and version. */
export interface VersionRef {
	name: string;
	version: string;
}

/** A server present on one side only: every version it has there, in list order, and its latest. */
export interface ServerVersions {
	name: string;
	versions: string[];
	/** Its latest version there (the loader's choice); null only for records without one flagged. */
	latest: string | null;
}

/** A version on both sides whose entry differs in more than its status and latest flag. */
export interface VersionChange extends VersionRef {
	/**
	 * Paths of what differs in its server.json (`server`): `description`, `remotes[0].url`,
	 * `_meta["io.modelcontextprotocol.registry/publisher-provided"].tools`. An object key added or
	 * removed, or a value of another type, is named itself; arrays of the same length are compared
	 * element by element, an array whose length changed is named as a whole (`packages`).
	 */
	fields: string[];
	/**
	 * Paths of what differs in the entry's registry metadata (its `_meta`): the official metadata
	 * as `official.updatedAt`, `official.publishedAt`, `official.statusMessage`, … (never
	 * `official.status` nor `official.isLatest`, which have their own lists; `official.statusChangedAt`
	 * only when the status is the same), any other key as `["key"]` and the path within it. The
	 * pull bookkeeping (`registry.self-hosted/pull`) is never compared.
	 */
	meta: string[];
}

/** A version on both sides whose status differs. */
export interface StatusChange extends VersionRef {
	from: Status;
	to: Status;
}

/** A server on both sides whose latest version differs (null: no version flagged on that side). */
export interface LatestChange {
	name: string;
	from: string | null;
	to: string | null;
}

/**
 * What differs between two registries (OLD → NEW); the output of `registry diff --format json`.
 * Every list is in list order (by name, then version, as the server lists them) and complete.
 *
 *   summary          how many items each list has, under the same names
 *   serversAdded     names only NEW has, with their versions there
 *   serversRemoved   names only OLD has, with their versions there
 *   versionsAdded    versions only NEW has, of names both have
 *   versionsRemoved  versions only OLD has, of names both have
 *   versionsChanged  versions both have whose entries differ, and in which fields (see VersionChange)
 *   statusChanges    versions both have whose status differs (`active` → `deprecated`)
 *   latestChanges    names both have whose latest version differs
 *
 * A version both have can be in versionsChanged and statusChanges at once. The two registries
 * serve the same entries exactly when every list is empty (isEmptyDiff), apart from the pull
 * bookkeeping metadata, which is ignored.
 */
export interface RegistryDiff {
	summary: {
		serversAdded: number;
		serversRemoved: number;
		versionsAdded: number;
		versionsRemoved: number;
		versionsChanged: number;
		statusChanges: number;
		latestChanges: number;
	};
	serversAdded: ServerVersions[];
	serversRemoved: ServerVersions[];
	versionsAdded: VersionRef[];
	versionsRemoved: VersionRef[];
	versionsChanged: VersionChange[];
	statusChanges: StatusChange[];
	latestChanges: LatestChange[];
}

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (x: Json): x is JsonObject => typeof x === "object" && x !== null && !Array.isArray(x);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `path.key`, or `path["key"]` for a key that is not an identifier. */
const keyPath = (path: string, key: string) =>
	IDENTIFIER.test(key) ? (path === "" ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`;

/** Where `a` and `b` differ, as paths under `path`, into `out`. */
function differences(a: Json, b: Json, path: string, out: string[]): void {
	if (a === b) return;
	if (isObject(a) && isObject(b)) {
		for (const k in a) {
			if (!Object.hasOwn(a, k)) continue;
			if (Object.hasOwn(b, k)) differences(a[k], b[k], keyPath(path, k), out);
			else out.push(keyPath(path, k));
		}
		for (const k in b) if (Object.hasOwn(b, k) && !Object.hasOwn(a, k)) out.push(keyPath(path, k));
		return;
	}
	if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
		for (let i = 0; i < a.length; i++) differences(a[i], b[i], `${path}[${i}]`, out);
		return;
	}
	out.push(path);
}

const parse = (r: RegistryRecord): JsonObject => {
	const x = parseRecord(r) as unknown as Json;
	return isObject(x) ? x : {};
};

/** What differs in the registry metadata of two entries (see VersionChange.meta). */
function metaDifferences(a: Json, b: Json, statusChanged: boolean): string[] {
	const out: string[] = [];
	const am = isObject(a) ? a : {};
	const bm = isObject(b) ? b : {};
	const keys = new Set([...Object.keys(am), ...Object.keys(bm)]);
	keys.delete(PULL_META);
	for (const k of keys) {
		if (k !== OFFICIAL) {
			differences(am[k], bm[k], `[${JSON.stringify(k)}]`, out);
			continue;
		}
		// Status and latest have lists of their own; when the status changed, so did its time.
		const ao = isObject(am[k]) ? { ...(am[k] as JsonObject) } : am[k];
		const bo = isObject(bm[k]) ? { ...(bm[k] as JsonObject) } : bm[k];
		for (const o of [ao, bo]) {
			if (!isObject(o)) continue;
			delete o.status;
			delete o.isLatest;
			if (statusChanged) delete o.statusChangedAt;
		}
		differences(ao, bo, "official", out);
	}
	return out;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
	a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;

/** The records in list order: as given when they are (as the loader gives them), else a sorted copy. */
function inListOrder(records: readonly RegistryRecord[]): readonly RegistryRecord[] {
	for (let i = 1; i < records.length; i++) {
		if (byNameVersion(records[i - 1] as RegistryRecord, records[i] as RegistryRecord) > 0) {
			return [...records].sort(byNameVersion);
		}
	}
	return records;
}

/** Where the run of records with the name of records[from] ends. */
function runEnd(records: readonly RegistryRecord[], from: number): number {
	const name = (records[from] as RegistryRecord).name;
	let end = from + 1;
	while (end < records.length && (records[end] as RegistryRecord).name === name) end++;
	return end;
}

function serverOf(records: readonly RegistryRecord[], from: number, to: number): ServerVersions {
	const run = records.slice(from, to);
	return {
		name: (records[from] as RegistryRecord).name,
		versions: run.map((r) => r.version),
		latest: run.find((r) => r.latest)?.version ?? null,
	};
}

/**
 * After this many entries parsed, the collector is asked to run: two registries that differ in
 * every entry parse them all, and what the parses leave would otherwise about double the peak
 * memory (two 50,000-entry files: 550 MB against 330 MB) for no gain in time.
 */
const GC_EVERY = 5000;
const collectGarbage = () => (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(false);

/**
 * What differs between two registries' records (each a name and version once, as a load gives
 * them). Entries with equal bytes are not parsed.
 */
export function diffRecords(oldRecords: RegistryRecord[], newRecords: RegistryRecord[]): RegistryDiff {
	const a = inListOrder(oldRecords);
	const b = inListOrder(newRecords);
	const d: Omit<RegistryDiff, "summary"> = {
		serversAdded: [],
		serversRemoved: [],
		versionsAdded: [],
		versionsRemoved: [],
		versionsChanged: [],
		statusChanges: [],
		latestChanges: [],
	};
	let i = 0;
	let j = 0;
	let parsed = 0;
	while (i < a.length || j < b.length) {
		const an = a[i]?.name;
		const bn = b[j]?.name;
		if (bn === undefined || (an !== undefined && an < bn)) {
			const end = runEnd(a, i);
			d.serversRemoved.push(serverOf(a, i, end));
			i = end;
			continue;
		}
		if (an === undefined || bn < an) {
			const end = runEnd(b, j);
			d.serversAdded.push(serverOf(b, j, end));
			j = end;
			continue;
		}
		// One name on both sides: its versions merged.
		const aEnd = runEnd(a, i);
		const bEnd = runEnd(b, j);
		const latest = { from: serverOf(a, i, aEnd).latest, to: serverOf(b, j, bEnd).latest };
		while (i < aEnd || j < bEnd) {
			const ar = i < aEnd ? (a[i] as RegistryRecord) : undefined;
			const br = j < bEnd ? (b[j] as RegistryRecord) : undefined;
			if (!br || (ar && ar.version < br.version)) {
				d.versionsRemoved.push({ name: an, version: (ar as RegistryRecord).version });
				i++;
				continue;
			}
			if (!ar || br.version < ar.version) {
				d.versionsAdded.push({ name: an, version: br.version });
				j++;
				continue;
			}
			i++;
			j++;
			if (sameBytes(ar.json, br.json)) continue;
			const statusChanged = ar.status !== br.status;
			if (statusChanged)
				d.statusChanges.push({ name: an, version: ar.version, from: ar.status, to: br.status });
			if (++parsed % GC_EVERY === 0) collectGarbage();
			const ae = parse(ar);
			const be = parse(br);
			const fields: string[] = [];
			differences(ae.server, be.server, "", fields);
			const meta = metaDifferences(ae._meta, be._meta, statusChanged);
			if (fields.length > 0 || meta.length > 0)
				d.versionsChanged.push({ name: an, version: ar.version, fields, meta });
		}
		if (latest.from !== latest.to) d.latestChanges.push({ name: an, ...latest });
	}
	return {
		summary: {
			serversAdded: d.serversAdded.length,
			serversRemoved: d.serversRemoved.length,
			versionsAdded: d.versionsAdded.length,
			versionsRemoved: d.versionsRemoved.length,
			versionsChanged: d.versionsChanged.length,
			statusChanges: d.statusChanges.length,
			latestChanges: d.latestChanges.length,
		},
		...d,
	};
}

export function isEmptyDiff(d: RegistryDiff): boolean {
	return (
		d.serversAdded.length === 0 &&
		d.serversRemoved.length === 0 &&
		d.versionsAdded.length === 0 &&
		d.versionsRemoved.length === 0 &&
		d.versionsChanged.length === 0 &&
		d.statusChanges.length === 0 &&
		d.latestChanges.length === 0
	);
}

/** How many items of each list the text output shows; the rest are counted ("… and N more"). */
export const TEXT_LIST_LIMIT = 200;
/** The same for markdown: a GitHub comment holds at most 65,536 characters. */
export const MARKDOWN_LIST_LIMIT = 100;
/** A markdown list longer than this is folded in a <details>. */
export const MARKDOWN_FOLD_AT = 10;
/** How many versions of an added or removed server, or fields of a changed version, a line names. */
const LINE_ITEM_LIMIT = 20;

type Kind = keyof RegistryDiff["summary"];

const KINDS: { kind: Kind; one: string; many: string; title: string }[] = [
	{ kind: "serversAdded", one: "server added", many: "servers added", title: "Servers added" },
	{ kind: "serversRemoved", one: "server removed", many: "servers removed", title: "Servers removed" },
	{ kind: "versionsAdded", one: "version added", many: "versions added", title: "Versions added" },
	{ kind: "versionsRemoved", one: "version removed", many: "versions removed", title: "Versions removed" },
	{ kind: "versionsChanged", one: "version changed", many: "versions changed", title: "Versions changed" },
	{ kind: "statusChanges", one: "status change", many: "status changes", title: "Status changes" },
	{ kind: "latestChanges", one: "latest change", many: "latest changes", title: "Latest-version changes" },
];

/** `3 servers added, 1 server removed, …` (the lists that are not empty), or `no differences`. */
function summaryLine(d: RegistryDiff): string {
	const parts = KINDS.filter(({ kind }) => d[kind].length > 0).map(
		({ kind, one, many }) => `${d[kind].length} ${d[kind].length === 1 ? one : many}`,
	);
	return parts.length > 0 ? parts.join(", ") : "no differences";
}

/** How much of one name, version or path the text and markdown show (JSON: all of it). */
const ITEM_CHARS = 200;
const shortened = (s: string) => (s.length > ITEM_CHARS ? `${s.slice(0, ITEM_CHARS)}…` : s);

/** The first `limit` items joined by `, `, and how many more. */
function listed(items: readonly string[], limit: number): string {
	const shown = items.slice(0, limit).join(", ");
	return items.length > limit ? `${shown}, … and ${items.length - limit} more` : shown;
}

/** The fields of a change as one list: the server.json paths, then the metadata paths under `_meta.`. */
const changedFields = (c: VersionChange): string[] => [
	...c.fields.map((f) => (f === "" ? "(the whole server.json)" : f)),
	...c.meta.map((m) => `_meta${m.startsWith("[") ? "" : "."}${m}`),
];

/** The lines of one list, each item written by `line` with what comes from the files in `code`. */
function itemLines(d: RegistryDiff, kind: Kind, code: (s: string) => string): string[] {
	const version = (x: VersionRef) => `${code(x.name)} ${code(x.version)}`;
	const orNone = (v: string | null) => (v === null ? "(none)" : code(v));
	switch (kind) {
		case "serversAdded":
		case "serversRemoved":
			return d[kind].map((s) => `${code(s.name)}: ${listed(s.versions.map(code), LINE_ITEM_LIMIT)}`);
		case "versionsAdded":
		case "versionsRemoved":
			return d[kind].map(version);
		case "versionsChanged":
			return d[kind].map((c) => `${version(c)}: ${listed(changedFields(c).map(code), LINE_ITEM_LIMIT)}`);
		case "statusChanges":
			return d[kind].map((s) => `${version(s)}: ${s.from} → ${s.to}`);
		case "latestChanges":
			return d[kind].map((l) => `${code(l.name)}: ${orNone(l.from)} → ${orNone(l.to)}`);
	}
}

const TEXT_MARK: Record<Kind, string> = {
	serversAdded: "+ ",
	serversRemoved: "- ",
	versionsAdded: "+ ",
	versionsRemoved: "- ",
	versionsChanged: "~ ",
	statusChanges: "",
	latestChanges: "",
};

function formatText(d: RegistryDiff, labels?: { old: string; new: string }): string {
	const head = labels ? `${labels.old} → ${labels.new}: ` : "";
	const lines = [escapeControl(`${head}${summaryLine(d)}`)];
	for (const { kind, title } of KINDS) {
		const items = itemLines(d, kind, shortened);
		if (items.length === 0) continue;
		lines.push("", `${title} (${items.length}):`);
		for (const item of items.slice(0, TEXT_LIST_LIMIT))
			lines.push(escapeControl(`  ${TEXT_MARK[kind]}${item}`));
		if (items.length > TEXT_LIST_LIMIT) lines.push(`  … and ${items.length - TEXT_LIST_LIMIT} more`);
	}
	return `${lines.join("\n")}\n`;
}

/**
 * Text from a file as a markdown code span, on one line (control characters escaped), that no
 * content can end early: the fence is one backtick longer than the longest run of them inside,
 * so backticks, pipes, `<`, `*` and the like are shown as they are, never read as markdown or HTML.
 */
export function markdownCode(text: string): string {
	const s = escapeControl(text);
	let longest = 0;
	for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
	const fence = "`".repeat(longest + 1);
	const pad = /^[` ]|[` ]$/.test(s) ? " " : "";
	return `${fence}${pad}${s}${pad}${fence}`;
}

function formatMarkdown(d: RegistryDiff, labels?: { old: string; new: string }): string {
	const title = labels
		? `### Registry diff: ${markdownCode(labels.old)} → ${markdownCode(labels.new)}`
		: "### Registry diff";
	if (isEmptyDiff(d)) return `${title}\n\nNo differences.\n`;
	const out = [title, "", `**${summaryLine(d)}**`, "", "| Change | Count |", "| --- | ---: |"];
	for (const { kind, title } of KINDS) out.push(`| ${title} | ${d[kind].length} |`);
	for (const { kind, title, one, many } of KINDS) {
		const items = itemLines(d, kind, (s) => markdownCode(shortened(s)));
		if (items.length === 0) continue;
		const bullets = items.slice(0, MARKDOWN_LIST_LIMIT).map((item) => `- ${item}`);
		if (items.length > MARKDOWN_LIST_LIMIT)
			bullets.push(`- … and ${items.length - MARKDOWN_LIST_LIMIT} more`);
		out.push("", `#### ${title} (${items.length})`, "");
		if (items.length > MARKDOWN_FOLD_AT) {
			const what = `${items.length} ${items.length === 1 ? one : many}`;
			out.push(`<details><summary>${what}</summary>`, "", ...bullets, "", "</details>");
		} else out.push(...bullets);
	}
	return `${out.join("\n")}\n`;
}

/** Characters JSON allows raw in strings that must not reach a terminal or a log unescaped. */
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * The diff for people (`text`: a summary line, then each list), for a pull-request comment
 * (`markdown`) or for programs (`json`: the RegistryDiff, complete). Text and markdown show the
 * first TEXT_LIST_LIMIT / MARKDOWN_LIST_LIMIT items of each list and count the rest. `labels`
 * name the two sides (file names) in text and markdown.
 */
export function formatDiff(
	d: RegistryDiff,
	format: "text" | "json" | "markdown",
	labels?: { old: string; new: string },
): string {
	if (format === "json") {
		const json = JSON.stringify(d, null, 2).replace(
			RAW_IN_JSON,
			(c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
		);
		return `${json}\n`;
	}
	return format === "markdown" ? formatMarkdown(d, labels) : formatText(d, labels);
}

const DIFF_USAGE = `Usage: registry diff [--format text|json|markdown] [--skip-invalid] OLD NEW

Compares two registry files entry by entry, keyed by name and version, each read with exactly
the rules the server loads with (any shape it accepts: the API list, a bare array of server.json
documents, fork records): servers and versions added and removed, versions changed (and which
fields), status changes and latest-version changes. Our own pull bookkeeping metadata is ignored.
Exits 0 when the two serve the same entries, 1 when they differ, 2 on an error (a file that
cannot be read or would not load, bad arguments). A file over MCP_REGISTRY_MAX_FILE_BYTES
(default 256 MiB) is refused unread, as the server would.

  OLD, NEW         registry files; - reads standard input (for one of them)
  --format FORMAT  text (default: a summary line, then each list, the first ${TEXT_LIST_LIMIT} items of each),
                   json (every difference, in full) or markdown (for a pull-request comment)
  --skip-invalid   as MCP_REGISTRY_INVALID_ENTRIES=skip: invalid entries are dropped, not an error
  -h, --help       print this help and exit
`;

const DIFF_OPTIONS: ParseArgsOptionsConfig = {
	format: { type: "string" },
	"skip-invalid": { type: "boolean" },
	help: { type: "boolean", short: "h" },
};

const FORMATS = ["text", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

/** A registry's records, or the error to print (every line escaped, naming the file). */
async function readSide(
	file: string,
	invalidEntries: InvalidEntries,
	maxBytes: number,
	note: (text: string) => void,
): Promise<RegistryRecord[] | string> {
	const name = file === "-" ? STDIN_NAME : file;
	let temp: { path: string; remove: () => void } | undefined;
	try {
		if (file === "-") temp = await stdinToFile(maxBytes);
		const read = await readRegistry(temp?.path ?? file, { invalidEntries, maxBytes, name });
		const skipped = read.report.skipped;
		if (skipped > 0) {
			note(escapeControl(`${name}: ${skipped} invalid ${skipped === 1 ? "entry" : "entries"} skipped`));
		}
		return read.records;
	} catch (err) {
		const message = (err as Error).message;
		// The loader names the file in its messages; anything else is told with the file's name.
		const text = err instanceof RegistryLoadError ? message : `${name}: ${message}`;
		const hint =
			err instanceof RegistryLoadError && (err.report?.errors.entries ?? 0) > 0
				? "\n(--skip-invalid compares the valid entries only)"
				: "";
		return `${escapeLines(text)}${hint}`;
	} finally {
		temp?.remove();
	}
}

export async function diffCommand(args: string[], io: CommandIo): Promise<number> {
	const tokens = parseArgs({
		args,
		options: DIFF_OPTIONS,
		allowPositionals: true,
		strict: false,
		tokens: true,
	}).tokens;
	// --help (or -h, written alone) wins wherever it is.
	if (tokens.some((t) => t.kind === "option" && t.name === "help" && t.rawName === args[t.index])) {
		io.out(DIFF_USAGE);
		return 0;
	}
	const usageError = (message: string) => {
		io.err(`registry diff: ${escapeControl(message)}\n${DIFF_USAGE}`);
		return 2;
	};
	let format: Format = "text";
	let invalidEntries: InvalidEntries = "reject";
	const files: string[] = [];
	for (const t of tokens) {
		if (t.kind === "positional") files.push(t.value);
		else if (t.kind === "option-terminator") continue;
		// An option counts only written out alone (`--format json` or `--format=json`).
		else if (t.name === "format" && (t.rawName === args[t.index] || t.inlineValue)) {
			if (!(FORMATS as readonly (string | undefined)[]).includes(t.value)) {
				return usageError("--format takes text, json or markdown");
			}
			format = t.value as Format;
		} else if (t.name === "skip-invalid" && t.rawName === args[t.index] && t.value === undefined) {
			invalidEntries = "skip";
		} else return usageError(`unknown option ${args[t.index]}`);
	}
	if (files.length !== 2) {
		return usageError(
			files.length < 2 ? "two files to compare are needed" : `unexpected argument ${files[2]}`,
		);
	}
	if (files[0] === "-" && files[1] === "-") return usageError("- (standard input) can be given once");
	let maxBytes: number;
	try {
		maxBytes = fileByteLimitOf(io.env);
	} catch (err) {
		io.err(`registry diff: ${escapeControl((err as Error).message)}\n`);
		return 2;
	}
	const note = (text: string) => io.err(`registry diff: ${text}\n`);
	const [oldFile, newFile] = files as [string, string];
	// Both files are read, so that both are told when both are wrong.
	const sides: (RegistryRecord[] | string)[] = [];
	for (const file of [oldFile, newFile]) sides.push(await readSide(file, invalidEntries, maxBytes, note));
	const [before, after] = sides as [RegistryRecord[] | string, RegistryRecord[] | string];
	if (typeof before === "string" || typeof after === "string") {
		for (const e of [before, after]) if (typeof e === "string") io.err(`registry diff: ${e}\n`);
		return 2;
	}
	const d = diffRecords(before, after);
	const label = (f: string) => (f === "-" ? STDIN_NAME : f);
	io.out(formatDiff(d, format, { old: label(oldFile), new: label(newFile) }));
	return isEmptyDiff(d) ? 0 : 1;
}
