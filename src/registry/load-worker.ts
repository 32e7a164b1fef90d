/**
 * Loads a registry file off the serving thread: parse, validate and serialise here, then hand
 * the result over by transfer, so a 50 MB reload never stalls a request.
 */
import { collectGarbage } from "../runtime.ts";
import { type InvalidEntries, loadRegistryFile, RegistryLoadError } from "./load.ts";
import { transferList } from "./snapshot.ts";

export interface LoadRequest {
	path: string;
	invalidEntries: InvalidEntries;
	/** How messages name the data (default: the path). */
	name?: string;
	/** MCP_REGISTRY_MAX_FILE_BYTES: a larger file is refused before it is read. */
	maxBytes?: number;
}

declare const self: Worker;

self.onmessage = async (event: MessageEvent<LoadRequest>) => {
	try {
		const { path, invalidEntries, name, maxBytes } = event.data;
		const data = await loadRegistryFile(path, {
			invalidEntries,
			name,
			maxBytes,
			// The serving thread learns the read is over: past this, a timeout may end the Worker.
			onRead: () => self.postMessage({ read: true }),
		});
		// The build's garbage goes before the result is copied across: the copy is the peak of the
		// whole process, this thread's heap and the serving thread's copy side by side.
		collectGarbage(true);
		self.postMessage({ ok: true, data }, transferList(data));
	} catch (err) {
		const report = err instanceof RegistryLoadError ? err.report : undefined;
		self.postMessage({ ok: false, message: (err as Error).message, report });
	}
};
