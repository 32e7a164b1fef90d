/**
 * Loads a registry file off the serving thread: parse, validate and serialise here, then hand
 * the result over by transfer, so a 50 MB reload never stalls a request. The same module is the
 * helper thread of a build process (build-process.ts): a compiled binary holds no other Worker.
 */

import { collectGarbage } from "../runtime.ts";
import type { HelperReply } from "./build-process.ts";
import { FileHasher } from "./hash.ts";
import { type InvalidEntries, loadRegistryFile, RegistryLoadError } from "./load.ts";
import { type Claim, checkPart, Pipeline, type PipelineShare, partMessage, sortPart } from "./parts.ts";
import { ReparseWhole, SplitSource } from "./shapes.ts";
import { transferList } from "./snapshot.ts";
import { timestampFromDate } from "./time.ts";

export interface LoadRequest {
	path: string;
	invalidEntries: InvalidEntries;
	/** How messages name the data (default: the path). */
	name?: string;
	/** MCP_REGISTRY_MAX_FILE_BYTES: a larger file is refused before it is read. */
	maxBytes?: number;
}

declare const self: Worker;

/** The helper thread of a build process (build-process.ts): its share of the work. */
interface HelperRequest {
	kind: "start";
	bytes: Uint8Array;
	share: PipelineShare;
	entryBase: number;
	mtimeMs: number;
	expected: number;
	/** Whether to hash with MD5 too (see BuildRequest). */
	md5: boolean;
}

function reply(m: HelperReply, transfer: ArrayBuffer[] = []): void {
	self.postMessage(m, transfer);
}

/** Hashes the file a MiB at a time between blocks, and checks the blocks it claims. */
function help(m: HelperRequest): void {
	try {
		const { bytes } = m;
		const pipeline = new Pipeline(m.share);
		const source = new SplitSource(
			bytes,
			{ ranges: pipeline.ranges, docs: pipeline.docs, problems: new Map(), entryBase: m.entryBase },
			"api",
		);
		let shaped = false;
		const claim: Claim = () => {
			const block = pipeline.claim();
			if (block && !shaped) {
				source.shape = pipeline.shape(); // told before the first block is
				shaped = true;
			}
			return block;
		};
		const hasher = new FileHasher(bytes, m.md5);
		const hashSome = () => {
			hasher.step();
		};
		const part = checkPart(source, claim, timestampFromDate(new Date(m.mtimeMs)), m.expected, hashSome);
		sortPart(part);
		reply({ kind: "hashed", ...hasher.digest() });
		const { message, transfer } = partMessage(part);
		reply({ kind: "part", part: message }, transfer);
	} catch (err) {
		reply(
			err instanceof ReparseWhole
				? { kind: "failed", reparse: true }
				: { kind: "failed", message: String(err) },
		);
	}
}

self.onmessage = async (event: MessageEvent<LoadRequest | HelperRequest>) => {
	if ("kind" in event.data) return help(event.data);
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
