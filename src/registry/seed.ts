/**
 * MCP_REGISTRY_SEED_FROM: initial data when the registry file does not exist yet — a local
 * file in any accepted shape, or another registry's /v0/servers or /v0.1/servers crawled page
 * by page with its official metadata (an s3:// seed is an S3 apply, in sync/apply.ts). The
 * result is validated, then written atomically to the registry file, so the next start needs
 * no seed.
 */
import { writeFileAtomic } from "../fsutil.ts";
import type { Logger } from "../log.ts";
import { readCapped } from "../read-capped.ts";
import { redactText, redactUrl } from "../redact.ts";
import { RegistryLoadError, readRegistryFile } from "./load.ts";
import { splitRegistry } from "./split.ts";
import type { RegistryStore } from "./store.ts";

const MAX_PAGES = 100_000;
const PAGE_TIMEOUT_MS = 30_000;

export interface SeedOptions {
	source: string;
	/** For the log lines: the registry file. */
	target: string;
	log: Logger;
	fetch?: typeof fetch;
}

/**
 * A page's bytes, refused once they pass `limit` (the rest of the seed's allowance under
 * MCP_REGISTRY_MAX_FILE_BYTES): a hostile registry cannot fill the memory.
 */
async function pageBytes(res: Response, limit: number, shown: string, maxBytes: number): Promise<Uint8Array> {
	const bytes = await readCapped(res.body, limit);
	if (bytes === undefined) {
		throw new RegistryLoadError(
			`${shown}: the registry's pages come to more than ${maxBytes} bytes, the limit (MCP_REGISTRY_MAX_FILE_BYTES); not seeded`,
		);
	}
	return bytes;
}

/**
 * A page's entries as the registry sent them (byte ranges, never parsed and written again), and
 * its next cursor. The scanner that splits a registry file splits the page, so a duplicate key or
 * nesting past 64 levels is refused here, naming the page; only the rest of the page is parsed.
 */
function pageEntries(bytes: Uint8Array, shown: string): { entries: Uint8Array[]; next: unknown } {
	const split = splitRegistry(bytes);
	if (split?.top !== "object") {
		let body: unknown;
		try {
			body = JSON.parse(new TextDecoder().decode(bytes));
		} catch {
			throw new Error(`${shown}: the answer is not JSON`);
		}
		throw new Error(
			`${shown}: the answer has no "servers" array${Array.isArray(body) ? " (a bare array is no API page)" : ""}`,
		);
	}
	const problem =
		split.fileProblem ??
		[...split.problems].map(([i, p]) => ({ ...p, path: `servers[${i}]${p.path ? `.${p.path}` : ""}` }))[0];
	if (problem)
		throw new RegistryLoadError(`${shown}: ${`${problem.path} ${problem.message}`.trim()}; not seeded`);
	let skeleton: { metadata?: { nextCursor?: unknown } };
	try {
		skeleton = JSON.parse(new TextDecoder().decode(split.skeleton));
	} catch {
		throw new Error(`${shown}: the answer is not JSON`);
	}
	const { ranges } = split;
	const entries: Uint8Array[] = [];
	for (let i = 0; i < ranges.length; i += 2) entries.push(bytes.subarray(ranges[i], ranges[i + 1]));
	return { entries, next: skeleton.metadata?.nextCursor };
}

/** `{"servers":[…]}` of the entries, each as its registry sent it. */
function listOf(entries: Uint8Array[]): Uint8Array {
	const open = new TextEncoder().encode('{"servers":[');
	const close = new TextEncoder().encode("]}\n");
	const size = open.length + close.length + entries.reduce((n, e) => n + e.byteLength + 1, 0);
	const out = new Uint8Array(size);
	let at = 0;
	const put = (b: Uint8Array) => {
		out.set(b, at);
		at += b.byteLength;
	};
	put(open);
	entries.forEach((e, i) => {
		if (i > 0) put(new Uint8Array([0x2c]));
		put(e);
	});
	put(close);
	return out.subarray(0, at);
}

/**
 * Crawls a registry API list endpoint page by page with its cursors; returns a registry file in
 * the API list shape holding every entry as the registry sent it. Every page is checked as a
 * registry file is (a duplicate key, nesting past 64 levels), and all of them together may not
 * pass `maxBytes`.
 */
export async function crawlRegistry(
	url: string,
	fetcher: typeof fetch = fetch,
	maxBytes = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
	let read = 0;
	const start = new URL(url);
	if (!start.searchParams.has("limit")) start.searchParams.set("limit", "100");
	const entries: Uint8Array[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const u = new URL(start);
		if (cursor !== undefined) u.searchParams.set("cursor", cursor);
		// Errors name the page without the URL's user information (a password in the seed URL).
		const shown = redactUrl(u);
		let res: Response;
		try {
			res = await fetcher(u, {
				headers: { accept: "application/json" },
				signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
			});
		} catch (err) {
			throw new Error(`${shown}: ${redactText((err as Error).message)}`);
		}
		if (!res.ok) throw new Error(`${shown}: HTTP ${res.status}`);
		const bytes = await pageBytes(res, maxBytes - read, shown, maxBytes);
		read += bytes.byteLength;
		const { entries: these, next } = pageEntries(bytes, shown);
		entries.push(...these);
		if (typeof next !== "string" || next === "") return listOf(entries);
		if (seen.has(next)) {
			throw new Error(`${shown}: the registry returned cursor ${JSON.stringify(next)} twice`);
		}
		seen.add(next);
		cursor = next;
	}
	throw new Error(`${redactUrl(url)}: more than ${MAX_PAGES} pages`);
}

/**
 * Writes the registry file from the seed and serves it, through the store's one replace: the
 * bytes are validated and built first, and only then written (atomically) and swapped in.
 */
export async function seedRegistryFile(store: RegistryStore, options: SeedOptions): Promise<void> {
	const { source, log } = options;
	const target = store.path;
	await store.replace({
		prepare: async () => {
			const bytes = await seedBytes(options, store.maxFileBytes);
			return {
				source: bytes,
				// How logs and /health name the data: without a password in the seed URL.
				name: redactUrl(source),
				// A seed is the first data there is: all of it must be valid.
				invalidEntries: "reject",
				commit: () => writeFileAtomic(target, bytes),
			};
		},
		initial: true,
	});
	log.info(`Seeded ${target} with ${store.current.count} entries from ${redactUrl(source)}`);
}

async function seedBytes(options: SeedOptions, maxBytes: number | undefined): Promise<Uint8Array> {
	const { source, log } = options;
	if (/^https?:\/\//i.test(source)) {
		log.info(`Seeding ${options.target} from registry API ${redactUrl(source)}`);
		return crawlRegistry(source, options.fetch, maxBytes);
	}
	log.info(`Seeding ${options.target} from file ${source}`);
	try {
		// Over MCP_REGISTRY_MAX_FILE_BYTES the file is refused by its size, unread.
		return (await readRegistryFile(source, { maxBytes })).bytes;
	} catch (err) {
		if (err instanceof RegistryLoadError) throw err;
		throw new RegistryLoadError(`MCP_REGISTRY_SEED_FROM=${source}: cannot read: ${(err as Error).message}`);
	}
}
