/**
 * MCP_REGISTRY_SEED_FROM: initial data when the registry file does not exist yet — a local
 * file in any accepted shape, or another registry's /v0/servers or /v0.1/servers crawled page
 * by page with its official metadata (an s3:// seed is an S3 apply, in sync/apply.ts). The
 * result is validated, then written atomically to the registry file, so the next start needs
 * no seed.
 */
import { writeFileAtomic } from "../fsutil.ts";
import type { Logger } from "../log.ts";
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
 * A page's bytes, read as they come and refused once they pass `limit` (the rest of the seed's
 * allowance under MCP_REGISTRY_MAX_FILE_BYTES): a hostile registry cannot fill the memory.
 */
async function pageBytes(res: Response, limit: number, shown: string, maxBytes: number): Promise<Uint8Array> {
	const chunks: Uint8Array[] = [];
	let total = 0;
	const reader = res.body?.getReader();
	if (reader) {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			total += value.byteLength;
			if (total > limit) {
				await reader.cancel().catch(() => {});
				throw new RegistryLoadError(
					`${shown}: the registry's pages come to more than ${maxBytes} bytes, the limit (MCP_REGISTRY_MAX_FILE_BYTES); not seeded`,
				);
			}
			chunks.push(value);
		}
	}
	const bytes = new Uint8Array(total);
	let at = 0;
	for (const c of chunks) {
		bytes.set(c, at);
		at += c.byteLength;
	}
	return bytes;
}

/** What the scanner finds wrong in a page that JSON.parse would let through (a duplicate key, deep nesting). */
function structureProblem(bytes: Uint8Array): string | undefined {
	const split = splitRegistry(bytes);
	if (!split) return undefined; // not the list shape: the parse below says what is wrong
	if (split.fileProblem) return `${split.fileProblem.path} ${split.fileProblem.message}`.trim();
	for (const [i, p] of split.problems) return `servers[${i}]${p.path ? `.${p.path}` : ""} ${p.message}`;
	return undefined;
}

/**
 * Crawls a registry API list endpoint; returns the API list shape with every item. Every page
 * is checked as a registry file is (a duplicate key, nesting past 64 levels), and all of them
 * together may not pass `maxBytes`.
 */
export async function crawlRegistry(
	url: string,
	fetcher: typeof fetch = fetch,
	maxBytes = Number.POSITIVE_INFINITY,
): Promise<unknown> {
	let read = 0;
	const start = new URL(url);
	if (!start.searchParams.has("limit")) start.searchParams.set("limit", "100");
	const servers: unknown[] = [];
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
		const problem = structureProblem(bytes);
		if (problem) throw new RegistryLoadError(`${shown}: ${problem}; not seeded`);
		let body: { servers?: unknown; metadata?: { nextCursor?: unknown } };
		try {
			body = JSON.parse(new TextDecoder().decode(bytes)) as typeof body;
		} catch {
			throw new Error(`${shown}: the answer is not JSON`);
		}
		if (!Array.isArray(body.servers)) throw new Error(`${shown}: the answer has no "servers" array`);
		servers.push(...body.servers);
		const next = body.metadata?.nextCursor;
		if (typeof next !== "string" || next === "") return { servers, metadata: { count: servers.length } };
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
		const doc = await crawlRegistry(source, options.fetch, maxBytes);
		return new TextEncoder().encode(`${JSON.stringify(doc)}\n`);
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
