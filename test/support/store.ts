/**
 * A RegistryStore over `registry.json` in a fresh folder, logging every line (text, debug) to
 * `lines` through `log` (returned too, for whatever else the test runs beside the store): what
 * the store tests set up again and again. The folder is pushed onto `dirs` for the caller's
 * afterAll to remove.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/log.ts";
import { RegistryStore, type StoreOptions } from "../../src/registry/store.ts";

export function tempStore(
	prefix: string,
	dirs: string[],
	o: Omit<StoreOptions, "path" | "log" | "invalidEntries"> & Partial<Pick<StoreOptions, "invalidEntries">>,
) {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	dirs.push(dir);
	const path = join(dir, "registry.json");
	const lines: string[] = [];
	const log = createLogger({ format: "text", level: "debug", write: (l) => void lines.push(l) });
	const store = new RegistryStore({ invalidEntries: "skip", timeoutMs: 60_000, ...o, path, log });
	return { dir, path, store, lines, log };
}
