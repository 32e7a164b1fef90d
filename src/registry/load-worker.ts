/**
 * Loads a registry file off the serving thread: parse, validate and serialise here, then hand
 * the result over by transfer, so a 50 MB reload never stalls a request.
 */
import { type InvalidEntries, loadRegistryFile, RegistryLoadError } from "./load.ts";
import { transferList } from "./snapshot.ts";

export interface LoadRequest {
	path: string;
	invalidEntries: InvalidEntries;
	/** How messages name the data (default: the path). */
	name?: string;
}

declare const self: Worker;

self.onmessage = async (event: MessageEvent<LoadRequest>) => {
	try {
		const { path, invalidEntries, name } = event.data;
		const data = await loadRegistryFile(path, { invalidEntries, name });
		self.postMessage({ ok: true, data }, transferList(data));
	} catch (err) {
		const report = err instanceof RegistryLoadError ? err.report : undefined;
		self.postMessage({ ok: false, message: (err as Error).message, report });
	}
};
