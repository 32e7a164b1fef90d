/**
 * MCP_REGISTRY_SEED_FROM: initial data when the registry file does not exist yet — a local
 * file in any accepted shape, or another registry's /v0/servers or /v0.1/servers crawled page
 * by page with its official metadata (an s3:// seed is an S3 apply, in sync/apply.ts). The
 * result is validated, then written atomically to the registry file, so the next start needs
 * no seed.
 */
import { writeFileAtomic } from "../fsutil.ts";
import type { Logger } from "../log.ts";
import { crawlRegistry } from "../pipeline/crawl.ts";
import { redactRegistryUrl } from "../redact.ts";
import { RegistryLoadError, readRegistryFile } from "./load.ts";
import type { RegistryStore } from "./store.ts";

export interface SeedOptions {
	source: string;
	/** For the log lines: the registry file. */
	target: string;
	log: Logger;
	fetch?: typeof fetch;
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
				name: redactRegistryUrl(source),
				// A seed is the first data there is: all of it must be valid.
				invalidEntries: "reject",
				commit: () => writeFileAtomic(target, bytes),
			};
		},
		initial: true,
	});
	log.info(`Seeded ${target} with ${store.current.count} entries from ${redactRegistryUrl(source)}`);
}

async function seedBytes(options: SeedOptions, maxBytes: number | undefined): Promise<Uint8Array> {
	const { source, log } = options;
	if (/^https?:\/\//i.test(source)) {
		log.info(`Seeding ${options.target} from registry API ${redactRegistryUrl(source)}`);
		// A start-up waits for its seed: a few quick retries, not the minute a pull may spend.
		return crawlRegistry(source, { fetch: options.fetch, maxBytes, attempts: 3 });
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
