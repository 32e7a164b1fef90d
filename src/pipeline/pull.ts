/**
 * `registry pull SOURCE… -o FILE` and what the live mirror runs each interval: a registry built
 * from other registries (crawled through their API) and registry files, filtered by name and
 * status, merged into what FILE already holds. With FILE present the pull is incremental: each
 * registry source is asked only for what changed since the newest entry it gave before
 * (`updated_since`), and the changes are merged in: an updated entry replaces its old record, a
 * status change (to deleted too) is kept as such. Every source is read by the server's loader;
 * the result is the API list shape, validated again, written atomically, or not at all.
 */
import { existsSync } from "node:fs";
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import type { CommandIo } from "../cli.ts";
import { fileByteLimitOf } from "../config/variables.ts";
import { writeFileAtomic } from "../fsutil.ts";
import { escapeControl, escapeLines } from "../log.ts";
import { redactRegistryUrl, redactText, redactUrl } from "../redact.ts";
import { type InvalidEntries, loadRegistryBytes } from "../registry/load.ts";
import { OFFICIAL } from "../registry/official.ts";
import { Slice } from "../registry/pace.ts";
import { describeProblem } from "../registry/report.ts";
import { STATUSES, type Status } from "../registry/snapshot.ts";
import { parseTimestamp } from "../registry/time.ts";
import { type CrawlOptions, type CrawlProgress, crawlRegistry } from "./crawl.ts";
import {
	fileMetadata,
	isoOfKey,
	keyOf,
	latestOnly,
	PULL_META,
	parseRecord,
	type RegistryRead,
	type RegistryRecord,
	readRegistry,
	readRegistryBytesPaced,
	recordsOf,
	registryBytes,
	sortRecords,
	sourceLatestFlags,
	withLatest,
	withLatestFlags,
} from "./records.ts";

/** "1 entry", "2 entries". */
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export interface PullFilters {
	/** Name globs an entry must match one of (none: every name). */
	include: readonly string[];
	/** Name globs no entry may match. */
	exclude: readonly string[];
	/** The statuses a new entry may have; an entry already held keeps any status change. */
	statuses: ReadonlySet<Status>;
	/** Only the latest version of each server. */
	latestOnly: boolean;
}

export const DEFAULT_STATUSES: readonly Status[] = ["active", "deprecated"];

export interface PullOptions {
	/** Registry base URLs (or list endpoints) and registry files, in order: a later one wins. */
	sources: readonly string[];
	/** What the target already holds: the pull is then incremental. */
	base?: readonly RegistryRecord[];
	filters: PullFilters;
	/** Base entries without our metadata count as pulled from this source (the mirror's own file). */
	adopt?: string;
	/**
	 * Hold the thread at most this many ms at a time (reads and merges in slices, the event loop
	 * served between them): for the live mirror, which pulls inside the serving process.
	 */
	paceMs?: number;
	/**
	 * Crawl every registry source whole even with a base: entries gone from a source are removed,
	 * and so are entries of sources no longer named.
	 */
	full?: boolean;
	/** An invalid entry in a registry file: fails the pull (default) or is skipped with a note. */
	invalidInFiles?: InvalidEntries;
	/** A result without entries may replace a base with some (else refused: a filter mistyped). */
	allowEmpty?: boolean;
	maxBytes?: number;
	/** Passed to every crawl: fetch, signal, onRetry, sleep. */
	crawl?: Omit<CrawlOptions, "updatedSince" | "includeDeleted" | "maxBytes" | "onPage">;
	onProgress?: (source: string, progress: CrawlProgress) => void;
	/** A note for the operator (invalid entries skipped at a source). */
	onNote?: (text: string) => void;
	now?: () => Date;
}

export interface SourceOutcome {
	/** The source as recorded in each entry's metadata (a URL without its user information). */
	source: string;
	/** `updated_since` sent, when the crawl was incremental. */
	since?: string;
	/** Entries the source gave (after its invalid ones were skipped). */
	received: number;
	/** Invalid entries skipped. */
	invalid: number;
}

export interface PullResult {
	/** The registry to write, in list order. */
	records: RegistryRecord[];
	added: number;
	updated: number;
	removed: number;
	unchanged: number;
	sources: SourceOutcome[];
	/** Anything differs from the base (always true without one). */
	changed: boolean;
}

export class PullError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "PullError";
	}
}

const isUrl = (source: string) => /^https?:\/\//i.test(source);

/**
 * A name glob as a test: `*` any run of characters (`/` too), `?` one; case-insensitive, as
 * names are compared by people.
 */
export function globTest(glob: string): (name: string) => boolean {
	const pattern = glob.toLowerCase();
	return (name) => wildcardMatch(pattern, name.toLowerCase());
}

/**
 * `*` and `?` matched in time linear in the text for each star (no regular expression: a glob of
 * many stars against a long hostile name must not backtrack for seconds). After a mismatch it
 * resumes from the last star, one character further: earlier stars never need to take more.
 */
function wildcardMatch(pattern: string, text: string): boolean {
	let p = 0;
	let t = 0;
	let star = -1;
	let resume = 0;
	while (t < text.length) {
		const c = pattern[p];
		if (c === "*") {
			star = p++;
			resume = t;
		} else if (c !== undefined && (c === "?" || c === text[t])) {
			p++;
			t++;
		} else if (star >= 0) {
			p = star + 1;
			t = ++resume;
		} else return false;
	}
	while (pattern[p] === "*") p++;
	return p === pattern.length;
}

/** Whether a name passes the include and exclude globs. */
export function nameFilter(f: Pick<PullFilters, "include" | "exclude">): (name: string) => boolean {
	const include = f.include.map(globTest);
	const exclude = f.exclude.map(globTest);
	return (name) => (include.length === 0 || include.some((t) => t(name))) && !exclude.some((t) => t(name));
}

const encoder = new TextEncoder();
const PULL_META_KEY = encoder.encode(JSON.stringify(PULL_META));

/** The source a record was pulled from (our metadata), without parsing records that have none. */
function pulledOf(r: RegistryRecord): Pulled {
	if (Buffer.from(r.json.buffer, r.json.byteOffset, r.json.byteLength).indexOf(PULL_META_KEY) < 0) return {};
	const meta = parseRecord(r)._meta?.[PULL_META] as { source?: unknown; pulledAt?: unknown } | undefined;
	return {
		source: typeof meta?.source === "string" ? meta.source : undefined,
		at: typeof meta?.pulledAt === "string" ? parseTimestamp(meta.pulledAt)?.key : undefined,
	};
}

/** Our metadata of a record: the source it came from, and when it arrived (a timestamp key). */
interface Pulled {
	source?: string;
	at?: string;
}

/**
 * What an entry says, without our metadata and the latest flag (the loader decides that).
 * `withoutTimes`: without its timestamps too, for entries of a registry file, whose missing
 * timestamps are the file's modification time: touching the file changes nothing.
 */
function contentOf(json: Uint8Array, withoutTimes = false): string {
	const doc = parseRecord({ json });
	const meta = doc._meta;
	if (meta) {
		delete meta[PULL_META];
		const official = meta[OFFICIAL] as Record<string, unknown> | undefined;
		if (official) {
			delete official.isLatest;
			if (withoutTimes) {
				delete official.publishedAt;
				delete official.updatedAt;
				delete official.statusChangedAt;
			}
		}
	}
	return JSON.stringify(doc);
}

/** The entry with our metadata set: where it came from and when it arrived. */
function stamped(r: RegistryRecord, source: string, at: string): RegistryRecord {
	const doc = parseRecord(r);
	doc._meta = { ...doc._meta, [PULL_META]: { source, pulledAt: at } };
	return { ...r, json: encoder.encode(JSON.stringify(doc)) };
}

/** How a source is named in metadata and messages: a URL without its user information. */
export function sourceName(source: string): string {
	if (!isUrl(source) || !URL.canParse(source)) return source;
	// One name however the URL is written: `http://h`, `http://h/` and `HTTP://H/` are one source.
	const url = new URL(source);
	url.hash = "";
	return redactRegistryUrl(url.href).replace(/\/+$/, "");
}

async function readSource(
	source: string,
	since: string | undefined,
	o: PullOptions,
): Promise<RegistryRead & { latest?: Map<string, boolean> }> {
	const name = sourceName(source);
	if (isUrl(source)) {
		const bytes = await crawlRegistry(source, {
			...o.crawl,
			maxBytes: o.maxBytes,
			updatedSince: since,
			// Deleted entries too: an entry held here that was deleted there must learn so.
			includeDeleted: true,
			onPage: (p) => o.onProgress?.(name, p),
		});
		// Every problem kept: the entries skipped as invalid are still the source's (see pullRecords).
		// Without a budget: one slice, never paused.
		const read = await readRegistryBytesPaced(
			bytes,
			name,
			"skip",
			o.paceMs ?? Number.POSITIVE_INFINITY,
			o.crawl?.signal,
			Number.POSITIVE_INFINITY,
		);
		// Only the changed versions: which is the latest is the source's word, not the loader's over them.
		return since === undefined ? read : { ...read, latest: sourceLatestFlags(bytes) };
	}
	if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
		throw new PullError(`${escapeControl(source)}: a source is a registry's http(s) URL or a registry file`);
	}
	return readRegistry(source, {
		name: source,
		invalidEntries: o.invalidInFiles ?? "reject",
		maxBytes: o.maxBytes,
	});
}

/**
 * What an incremental pull asks a source for (`updated_since`, RFC 3339): changes after the
 * newest `updatedAt` of the entries it gave, as upstream advises for its sync. Entries dated
 * after they arrived here (in the future then) do not count, and it is never after now: one
 * entry dated in the far future must not make every later pull ask for nothing. Undefined when
 * the source gave none of the records (or only such): then it is read whole.
 */
function sinceFor(
	records: Iterable<RegistryRecord>,
	source: string,
	origins: Map<RegistryRecord, string | undefined>,
	futureDated: ReadonlySet<RegistryRecord>,
	now: Date,
): string | undefined {
	let newest: string | undefined;
	for (const r of records) {
		if (origins.get(r) !== source || futureDated.has(r)) continue;
		if (newest === undefined || r.updated > newest) newest = r.updated;
	}
	if (newest === undefined) return undefined;
	const iso = isoOfKey(newest);
	return Date.parse(iso) > now.getTime() ? now.toISOString() : iso;
}

/**
 * Pulls every source in order and merges what they give into the base. Throws (PullError,
 * RegistryLoadError, a crawl's error) when a source fails: nothing is half-merged.
 */
export async function pullRecords(o: PullOptions): Promise<PullResult> {
	// Without a budget the work runs through (one slice that never ends).
	const slice = new Slice(o.paceMs ?? Number.POSITIVE_INFINITY, o.crawl?.signal);
	const nowDate = (o.now ?? (() => new Date()))();
	const now = nowDate.toISOString();
	const passes = nameFilter(o.filters);
	const merged = new Map<string, RegistryRecord>();
	const origins = new Map<RegistryRecord, string | undefined>();
	const futureDated = new Set<RegistryRecord>();
	for (const r of o.base ?? []) {
		await slice.yieldIfDue();
		merged.set(keyOf(r), r);
		const pulled = pulledOf(r);
		origins.set(r, pulled.source ?? o.adopt);
		// Dated after it arrived: a source's clock (or an entry) in the future, no high-water mark.
		if (pulled.at !== undefined && r.updated > pulled.at) futureDated.add(r);
	}
	// What the sources give, a later source winning; then merged into the base in one go, so an
	// entry two sources give does not count as changed when the winner says what the base holds.
	const incoming = new Map<string, { record: RegistryRecord; source: string; file: boolean }>();
	/** Sources read whole, with every key each gave: their entries held here and gone there go. */
	const whole = new Map<string, Set<string>>();
	const outcomes: SourceOutcome[] = [];
	for (const source of o.sources) {
		const name = sourceName(source);
		const held = [...merged.values()].filter((r) => origins.get(r) === name).length;
		// A registry answers what changed since the newest entry it gave; a file is read whole.
		const since =
			o.base && !o.full && isUrl(source)
				? sinceFor(merged.values(), name, origins, futureDated, nowDate)
				: undefined;
		const read = await readSource(source, since, o);
		const invalid = read.report.skipped;
		if (invalid > 0) {
			const first = read.report.errors.first[0];
			o.onNote?.(
				`${name}: ${plural(invalid, "invalid entry", "invalid entries")} skipped${first ? ` (first: ${describeProblem(first)})` : ""}`,
			);
		}
		outcomes.push({ source: name, since, received: read.records.length, invalid });
		// A registry that suddenly lists nothing is taken for a broken one; a file may be emptied.
		if (isUrl(source) && since === undefined && read.records.length === 0 && held > 0) {
			throw new PullError(
				`${name} answered with no entries${invalid > 0 ? ` (${invalid} invalid skipped)` : ""}; keeping the ${held} entries pulled from it before (a registry that empties is taken for a broken one)`,
			);
		}
		// An entry the source lists but that does not validate (its schema drifted) is still listed
		// there: the copy held here stays, stale, rather than being removed by a whole read.
		const seen = new Set<string>();
		for (const p of read.report.errors.first) {
			if (p.name !== undefined && p.version !== undefined)
				seen.add(keyOf({ name: p.name, version: p.version }));
		}
		for (const r of read.records) {
			const key = keyOf(r);
			seen.add(key);
			const flag = read.latest?.get(key);
			const record = flag === undefined ? r : withLatest(r, flag);
			if (passes(r.name)) incoming.set(key, { record, source: name, file: !isUrl(source) });
		}
		if (since === undefined) whole.set(name, seen);
	}
	for (const [key, { record, source, file }] of incoming) {
		await slice.yieldIfDue();
		const old = merged.get(key);
		// A new entry must have a wanted status; one held already takes any change of status.
		if (!old && !o.filters.statuses.has(record.status)) continue;
		if (old && origins.get(old) === source && contentOf(old.json, file) === contentOf(record.json, file))
			continue;
		const stampedRecord = stamped(record, source, now);
		merged.set(key, stampedRecord);
		origins.set(stampedRecord, source);
	}
	// A source read whole says what it holds: its entries gone from it go. A full pull also drops
	// the entries of sources no longer named (entries made by hand, of no source, stay).
	const named = new Set(o.sources.map(sourceName));
	for (const [key, r] of merged) {
		const origin = origins.get(r);
		if (origin === undefined || incoming.has(key)) continue;
		const gave = whole.get(origin);
		if ((gave && !gave.has(key)) || (o.full && !named.has(origin))) merged.delete(key);
	}
	// Every source read whole: an --include that matches nothing is most likely mistyped.
	if (whole.size === o.sources.length && o.filters.include.length > 0) {
		const names = new Set([...merged.values()].map((r) => r.name));
		for (const [, { record }] of incoming) names.add(record.name);
		for (const glob of o.filters.include) {
			const test = globTest(glob);
			if (![...names].some(test)) o.onNote?.(`--include ${JSON.stringify(glob)} matches no server`);
		}
	}
	let records = sortRecords([...merged.values()].filter((r) => passes(r.name)));
	if (o.filters.latestOnly) records = latestOnly(records);
	// One latest version a name, in the file as the loader would serve it.
	records = withLatestFlags(records);
	// Counted against the base: what a later source replaced in this pull is one addition.
	const base = new Set(o.base);
	const baseKeys = new Set((o.base ?? []).map(keyOf));
	let added = 0;
	let updated = 0;
	for (const r of records) {
		const key = keyOf(r);
		if (!baseKeys.has(key)) added++;
		else if (!base.has(r)) updated++;
		baseKeys.delete(key);
	}
	const removed = baseKeys.size;
	const unchanged = records.length - added - updated;
	if (records.length === 0 && (o.base?.length ?? 0) > 0 && !o.allowEmpty) {
		throw new PullError(
			`the pull would remove all ${o.base?.length} entries: refused, as a filter that matches nothing is most likely mistyped (registry pull --allow-empty writes an empty registry)`,
		);
	}
	return {
		records,
		added,
		updated,
		removed,
		unchanged,
		sources: outcomes,
		changed: !o.base || added + updated + removed > 0,
	};
}

/** The bytes of a pull's registry, checked by the server's loader as a load would check them. */
export function pulledBytes(
	records: readonly RegistryRecord[],
	name: string,
	metadata?: Record<string, unknown>,
): Uint8Array {
	const bytes = registryBytes(records, metadata);
	const data = loadRegistryBytes(bytes, { file: name, invalidEntries: "reject", mtime: new Date() });
	// Written as loaded (as the server serves them): the next pull reads back exactly these bytes,
	// so an entry no later pull touches stays byte for byte what it is.
	return registryBytes(recordsOf(data.index), metadata);
}

const PULL_USAGE = `Usage: registry pull SOURCE... -o FILE [--include GLOB]... [--exclude GLOB]...
                     [--status LIST] [--latest-only] [--full] [--skip-invalid] [--allow-empty]
                     [--mend] [--timeout SECONDS] [--tries N] [--adopt] [--json] [--quiet]

Builds a registry file from other registries and registry files. A SOURCE is a registry's base
URL (its /v0.1/servers is crawled page by page, else its /v0/servers; 429 and 5xx answers are
retried, honouring Retry-After), env:NAME for the URL in that environment variable (a password
in it stays out of the process list), or a registry file in any shape the server accepts. A later
source wins over an earlier one for the same name and version.

When FILE exists and was pulled with the same sources and filters (its metadata records them),
the pull is incremental: each registry is asked only for what changed since the newest entry it
gave (updated_since), and the changes are merged in; files are read whole. With other sources or
filters every source is crawled whole. The result (the API list shape) is validated with the
server's loader and written atomically: a failed pull leaves FILE as it was. Entries carry their
official metadata as the source gave it, and ours under _meta["${PULL_META}"] ({"source",
"pulledAt"}). An entry of a registry file whose only change is its timestamps (a file without
them takes its modification time) is kept as it was.

  -o, --output FILE   the registry file to write (and to merge into when it exists)
  --include GLOB      keep only names matching a glob (* any characters, / too; ? one);
                      repeatable; case-insensitive
  --exclude GLOB      drop names matching a glob; repeatable; wins over --include
  --status LIST       statuses of entries to add: active, deprecated, deleted, comma-separated
                      (default: active,deprecated); an entry already in FILE keeps any change of
                      its status, so a deletion upstream is recorded as one
  --latest-only       only the latest version of each server
  --full              crawl every registry whole even when FILE exists: entries gone from a
                      source, and entries of sources no longer named, are removed
  --skip-invalid      skip invalid entries of registry files with a warning (default: an
                      invalid entry fails the pull; registries' invalid entries are always
                      skipped with a warning)
  --allow-empty       let the pull leave FILE without entries (default: refused, as a filter
                      that matches nothing is most likely mistyped)
  --mend              an invalid entry of FILE is dropped, and a FILE that cannot be read is
                      pulled anew (as the live mirror does), each with a warning; default: an
                      error
  --timeout SECONDS   give up (exit 1, FILE unchanged) when the pull takes longer
  --tries N           tries per page of a registry before the pull fails (default 6, 1-20)
  --adopt             entries of FILE that name no source are taken as the (one) SOURCE's, so a
                      full pull removes them when the source no longer has them (a file turned
                      into a mirror of that source)
  --json              the summary as one JSON object on standard output: file, entries, servers,
                      added, updated, removed, unchanged, changed, written, sources, seconds
  --quiet             no progress on standard error
  -h, --help          print this help and exit

A registry that answers with no entries where FILE holds entries pulled from it is taken for a
broken one: the pull fails. Exits 0 when FILE is written or already current, 1 when a source or
FILE fails (FILE unchanged), 2 on a usage error.
`;

const PULL_OPTIONS = {
	output: { type: "string", short: "o" },
	include: { type: "string", multiple: true },
	exclude: { type: "string", multiple: true },
	status: { type: "string", multiple: true },
	"latest-only": { type: "boolean" },
	full: { type: "boolean" },
	"skip-invalid": { type: "boolean" },
	"allow-empty": { type: "boolean" },
	adopt: { type: "boolean" },
	mend: { type: "boolean" },
	timeout: { type: "string" },
	tries: { type: "string" },
	json: { type: "boolean" },
	quiet: { type: "boolean" },
	help: { type: "boolean", short: "h" },
} satisfies ParseArgsOptionsConfig;

/** A comma-separated list of statuses, or the problem with it. */
export function parseStatuses(text: string): Set<Status> | string {
	const out = new Set<Status>();
	for (const s of text.split(",").map((x) => x.trim().toLowerCase())) {
		if (s === "") continue;
		if (!(STATUSES as readonly string[]).includes(s)) {
			return `--status takes ${STATUSES.join(", ")} (got ${JSON.stringify(s)})`;
		}
		out.add(s as Status);
	}
	return out.size > 0 ? out : "--status needs at least one status";
}

/** Progress on standard error: one line rewritten in place on a terminal, else the first page's and every 20th's. */
function progressLine(io: CommandIo, tty: boolean) {
	return (source: string, p: CrawlProgress) => {
		const text = `${escapeControl(source)}: ${plural(p.pages, "page", "pages")}, ${p.entries} entries`;
		if (tty) io.err(`\r\u001b[K${text}`);
		else if (p.pages === 1 || p.pages % 20 === 0) io.err(`${text}\n`);
	};
}

/**
 * What a pull into FILE was asked for, recorded in the file's metadata: a pull asked for anything
 * else (another source, a wider filter) crawls every source whole, as the first one did.
 */
export interface PullSettings {
	sources: string[];
	include: string[];
	exclude: string[];
	status: string[];
	latestOnly: boolean;
}

const settingsOf = (sources: readonly string[], f: PullFilters): PullSettings => ({
	sources: sources.map(sourceName),
	include: [...f.include].sort(),
	exclude: [...f.exclude].sort(),
	status: [...f.statuses].sort(),
	latestOnly: f.latestOnly,
});

/** A message of several lines (a loader's report), each line escaped, the lines kept. */

export async function pullCommand(
	args: string[],
	io: CommandIo,
	stderrIsTty = process.stderr.isTTY,
): Promise<number> {
	const usage = (message: string) => {
		io.err(`registry pull: ${escapeControl(message)}\n${PULL_USAGE}`);
		return 2;
	};
	let parsed: ReturnType<
		typeof parseArgs<{ args: string[]; options: typeof PULL_OPTIONS; allowPositionals: true }>
	>;
	try {
		parsed = parseArgs({ args, options: PULL_OPTIONS, allowPositionals: true, strict: true });
	} catch (err) {
		return usage((err as Error).message.split("\n")[0] ?? "bad arguments");
	}
	const { values, positionals: given } = parsed;
	if (values.help) {
		io.out(PULL_USAGE);
		return 0;
	}
	if (!values.output) return usage("-o FILE is required");
	if (given.length === 0) return usage("name at least one SOURCE");
	if (values.adopt && given.length !== 1) return usage("--adopt takes exactly one SOURCE");
	const sources: string[] = [];
	for (const g of given) {
		// env:NAME: the URL is in that variable, out of the process list (`ps`) with its password.
		const variable = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(g)?.[1];
		const s = variable === undefined ? g : io.env[variable];
		if (s === undefined || s === "") return usage(`${g}: ${variable} is not set`);
		if (isUrl(s) && !URL.canParse(s)) return usage(`${redactUrl(s)} is not a valid URL`);
		sources.push(s);
	}
	const names = sources.map(sourceName);
	const twice = names.find((n, i) => names.indexOf(n) !== i);
	// Two sources recorded alike (differing only in a password or a hidden query value) would
	// take each other's entries for their own.
	if (twice !== undefined) return usage(`two sources are both recorded as ${twice}`);
	const tries = values.tries === undefined ? undefined : Number(values.tries);
	if (tries !== undefined && !(Number.isInteger(tries) && tries >= 1 && tries <= 20)) {
		return usage("--tries takes a whole number from 1 to 20");
	}
	let timeoutMs: number | undefined;
	if (values.timeout !== undefined) {
		const seconds = Number(values.timeout);
		if (!(seconds > 0 && seconds <= 86_400))
			return usage(`--timeout takes seconds, more than 0 and at most 86400`);
		timeoutMs = seconds * 1000;
	}
	let statuses: Set<Status> = new Set(DEFAULT_STATUSES);
	if (values.status) {
		const parsedStatuses = parseStatuses(values.status.join(","));
		if (typeof parsedStatuses === "string") return usage(parsedStatuses);
		statuses = parsedStatuses;
	}
	let maxBytes: number;
	try {
		maxBytes = fileByteLimitOf(io.env);
	} catch (err) {
		return usage((err as Error).message);
	}
	const target = values.output;
	const existed = existsSync(target);
	const tty = Boolean(stderrIsTty) && !values.quiet;
	const fail = (message: string) => {
		if (tty) io.err("\n");
		io.err(
			`registry pull: ${escapeLines(redactText(message))}; ${escapeControl(target)} ${existed ? "unchanged" : "not written"}\n`,
		);
		return 1;
	};
	const note = (text: string) => io.err(`${tty ? "\n" : ""}warning: ${escapeControl(text)}\n`);
	const filters: PullFilters = {
		include: values.include ?? [],
		exclude: values.exclude ?? [],
		statuses,
		latestOnly: Boolean(values["latest-only"]),
	};
	const settings = settingsOf(sources, filters);
	const started = performance.now();
	try {
		const base = existed ? await readBase(target, Boolean(values.mend), maxBytes, note) : undefined;
		// Asked for the same as last time: incremental. Anything else: every source whole, so a
		// wider filter brings what it now matches and a source dropped takes its entries along.
		// (Read again for its metadata, which the loader does not keep: a split of the file, no build.)
		const recorded = base
			? (await fileMetadata(target, maxBytes).catch(() => undefined))?.[PULL_META]
			: undefined;
		const sameAsBefore = JSON.stringify(recorded) === JSON.stringify(settings);
		if (base && !values.full && !sameAsBefore) {
			note(
				recorded === undefined
					? `${target} does not say what it was pulled with: crawling every source whole`
					: `the sources or filters differ from the last pull into ${target}: crawling every source whole`,
			);
		}
		const result = await pullRecords({
			sources,
			base,
			filters,
			full: Boolean(values.full) || !sameAsBefore,
			adopt: values.adopt ? sourceName(sources[0] as string) : undefined,
			invalidInFiles: values["skip-invalid"] ? "skip" : "reject",
			allowEmpty: Boolean(values["allow-empty"]),
			maxBytes,
			crawl: {
				signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
				attempts: tries,
				onRetry: ({ url, delayMs, reason }) => {
					if (!values.quiet)
						io.err(`${tty ? "\n" : ""}${escapeControl(url)}: ${reason}; retrying in ${delayMs} ms\n`);
				},
			},
			onProgress: values.quiet ? undefined : progressLine(io, tty),
			onNote: note,
		});
		if (tty) io.err("\n");
		const names = new Set(result.records.map((r) => r.name)).size;
		const seconds = ((performance.now() - started) / 1000).toFixed(1);
		const write = !(base && !result.changed && sameAsBefore);
		if (write) await writeFileAtomic(target, pulledBytes(result.records, target, { [PULL_META]: settings }));
		if (values.json) {
			const { records, ...counts } = result;
			io.out(
				`${JSON.stringify({ file: target, entries: records.length, servers: names, ...counts, written: write, seconds: Number(seconds) })}\n`,
			);
			return 0;
		}
		for (const s of result.sources) {
			io.out(
				`${escapeControl(s.source)}: ${plural(s.received, "entry", "entries")}${s.since ? ` updated since ${s.since}` : ""}${s.invalid ? `, ${s.invalid} invalid skipped` : ""}\n`,
			);
		}
		const held = `${plural(result.records.length, "entry", "entries")} (${plural(names, "server", "servers")})`;
		if (!write) {
			io.out(`${escapeControl(target)}: unchanged: ${held} in ${seconds} s\n`);
			return 0;
		}
		io.out(
			`${escapeControl(target)}: ${held}: ${result.added} added, ${result.updated} updated, ${result.removed} removed, ${result.unchanged} unchanged in ${seconds} s\n`,
		);
		return 0;
	} catch (err) {
		if (timeoutMs !== undefined && (err as Error).name === "TimeoutError") {
			return fail(`the pull did not finish within ${timeoutMs / 1000} s (--timeout)`);
		}
		return fail((err as Error).message);
	}
}

/**
 * FILE's records to merge into. With `mend` (the mirror's rounds), an invalid entry in it is
 * dropped and a FILE that cannot be read at all is pulled anew, each said in a note: a mirror
 * must heal its file, never stop on it. Without, either is an error.
 */
async function readBase(
	target: string,
	mend: boolean,
	maxBytes: number,
	note: (text: string) => void,
): Promise<RegistryRecord[] | undefined> {
	if (!mend) return (await readRegistry(target, { invalidEntries: "reject", maxBytes })).records;
	try {
		const read = await readRegistry(target, { invalidEntries: "skip", maxBytes });
		if (read.report.skipped > 0) {
			note(
				`${target}: ${read.report.skipped} invalid entries dropped; a whole pull brings them back if the source has them valid`,
			);
		}
		return read.records;
	} catch (err) {
		note(`${target} cannot be read (${(err as Error).message.split("\n")[0]}): pulling it anew`);
		return undefined;
	}
}
