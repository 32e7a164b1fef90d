/**
 * Loads a registry file in a build process (build-process.ts): the server spawns it and reads
 * its frames as they come. The snapshot itself comes in a file the server made in the temporary
 * folder and removed at once (only the two processes can reach it), which the server then maps
 * (or reads: one buffer); without such a file, through the pipe. The snapshot data are views of
 * those bytes (wire.ts), decoded between requests. Everything else the build used was the other
 * process's, and went back to the system when it exited.
 */
import { randomUUID } from "node:crypto";
import { type FileHandle, open, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
	BUILD_COMMAND,
	type BuildRequest,
	FRAME_DATA,
	FRAME_FAIL,
	FRAME_READ,
	FRAME_WRITTEN,
} from "./build-process.ts";
import { paced } from "./pace.ts";
import { type LoadReport, RegistryLoadError } from "./report.ts";
import type { SnapshotData } from "./snapshot.ts";
import { decodeSteps } from "./wire.ts";

/** Can a build process be started here (Bun: its spawn and its executable). */
export const canBuildInProcess = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** The command that starts a build process from source (this runtime and build-process.ts). */
export function sourceBuildCommand(): string[] {
	return [process.execPath, fileURLToPath(new URL("./build-process.ts", import.meta.url))];
}

/**
 * The build process's JavaScriptCore: no FTL, its optimising compiler of last resort. A build
 * runs its code for a second or so, once: FTL's compile time (half a core-second at 50,000
 * entries, on the core the other build thread needs) is never paid back in that time.
 */
export const BUILD_ENV = { BUN_JSC_useFTLJIT: "0" };

/** What is kept of the build process's error output, for the message when it fails. */
const STDERR_KEPT = 2000;

/**
 * Builds `request` in a process started by `command` (then BUILD_COMMAND and the request). An
 * abort kills the process: at once, and the promise rejects, once the file is read; while it
 * still reads, the promise settles only when the process is gone (a read stuck in the file
 * system may hold it), so that the store counts the read as stuck until then.
 */
export async function loadInProcess(
	request: BuildRequest,
	command: readonly string[],
	signal: AbortSignal,
	onRead: () => void,
): Promise<SnapshotData> {
	const out = await anonymousFile();
	try {
		return await build({ ...request, toFd3: out !== undefined }, command, signal, onRead, out);
	} finally {
		await out?.close().catch(() => {});
	}
}

/**
 * A file for the build process to write the snapshot into: made in the temporary folder and
 * removed at once (open, it lives on until closed, and nothing is left behind whatever happens);
 * undefined when none can be made (the snapshot then comes through the pipe).
 */
async function anonymousFile(): Promise<FileHandle | undefined> {
	// Windows removes no open file (and hands a child no extra descriptor): the pipe it is.
	if (process.platform === "win32") return undefined;
	const path = join(tmpdir(), `registry-build-${process.pid}-${randomUUID()}`);
	let handle: FileHandle | undefined;
	try {
		handle = await open(path, "wx+", 0o600);
		await unlink(path);
		return handle;
	} catch {
		// An open file that cannot be removed: closed first, then removed.
		await handle?.close().catch(() => {});
		if (handle) await unlink(path).catch(() => {});
		return undefined;
	}
}

/**
 * The snapshot the build process wrote into `handle`: mapped (Bun, Linux), so that its pages
 * come into memory as requests first read them, and go with the mapping when the snapshot is
 * collected; else read whole.
 */
async function snapshotBytes(handle: FileHandle, length: number): Promise<Uint8Array> {
	const bun = (globalThis as { Bun?: { mmap?(path: string, options?: { shared?: boolean }): Uint8Array } })
		.Bun;
	if (bun?.mmap && process.platform === "linux") {
		try {
			const bytes = bun.mmap(`/proc/self/fd/${handle.fd}`, { shared: false });
			if (bytes.byteLength === length) return bytes;
		} catch {}
	}
	return readWhole(handle, length);
}

/** The `length` bytes of `handle` from its start, in one buffer of their size. */
async function readWhole(handle: FileHandle, length: number): Promise<Uint8Array> {
	const bytes = new Uint8Array(length);
	for (let at = 0; at < length; ) {
		const { bytesRead } = await handle.read(bytes, at, length - at, at);
		if (bytesRead === 0) throw new Error("the snapshot written is cut short");
		at += bytesRead;
	}
	return bytes;
}

function build(
	request: BuildRequest,
	command: readonly string[],
	signal: AbortSignal,
	onRead: () => void,
	out: FileHandle | undefined,
): Promise<SnapshotData> {
	const name = request.name ?? request.path;
	return new Promise((resolve, reject) => {
		let settled = false;
		let reading = true;
		const proc = Bun.spawn([...command, BUILD_COMMAND, JSON.stringify(request)], {
			stdio: ["ignore", "pipe", "pipe", ...(out ? [out.fd] : [])],
			env: { ...process.env, ...BUILD_ENV },
		});
		let stderr = "";
		const drainErrors = (async () => {
			const decoder = new TextDecoder();
			for await (const chunk of proc.stderr) {
				stderr = (stderr + decoder.decode(chunk, { stream: true })).slice(-STDERR_KEPT);
			}
		})().catch(() => {});
		const finish = (outcome: () => void) => {
			if (settled) return;
			settled = true;
			signal.removeEventListener("abort", onAbort);
			outcome();
		};
		const onAbort = () => {
			proc.kill("SIGKILL");
			if (!reading) finish(() => reject(signal.reason));
			else proc.exited.then(() => finish(() => reject(signal.reason)));
		};
		signal.addEventListener("abort", onAbort, { once: true });
		if (signal.aborted) onAbort();

		const failed = (why: string) =>
			new RegistryLoadError(`${name}: loader failed: ${why}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);

		(async () => {
			const frames = new FrameReader(proc.stdout);
			for (;;) {
				const frame = await frames.next();
				if (!frame) break;
				if (frame.type === FRAME_READ) {
					reading = false;
					onRead();
					continue;
				}
				if (frame.type === FRAME_FAIL) {
					const f = JSON.parse(new TextDecoder().decode(frame.payload)) as {
						message: string;
						report?: LoadReport;
					};
					return finish(() => reject(new RegistryLoadError(f.message, f.report)));
				}
				if (frame.type === FRAME_DATA || (frame.type === FRAME_WRITTEN && out)) {
					const payload =
						frame.type === FRAME_WRITTEN && out ? await snapshotBytes(out, frame.length) : frame.payload;
					// Requests are answered between its steps (a few milliseconds each, at 50,000 entries).
					const data = await paced(decodeSteps(payload), 0);
					return finish(() => resolve(data));
				}
				throw new Error(`unknown frame ${frame.type}`);
			}
			const code = await proc.exited;
			await drainErrors;
			finish(() =>
				reject(
					failed(
						proc.signalCode
							? `the build process was killed (${proc.signalCode})`
							: `the build process exited (${code})`,
					),
				),
			);
		})().catch((err: Error) => {
			proc.kill("SIGKILL");
			finish(() => reject(failed(err.message)));
		});
	});
}

/**
 * Frames (build-process.ts) from a stream: the header's bytes gathered across chunks, a
 * payload copied into a buffer of its own size as its chunks arrive.
 */
class FrameReader {
	private readonly reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> };
	private chunk: Uint8Array = new Uint8Array(0);

	constructor(stream: ReadableStream<Uint8Array>) {
		this.reader = stream.getReader();
	}

	/** `n` bytes into `into` from `at`; false at the end of the stream. */
	private async fill(into: Uint8Array, at: number): Promise<boolean> {
		while (at < into.byteLength) {
			if (this.chunk.byteLength === 0) {
				const { done, value } = await this.reader.read();
				if (done || !value) return false;
				this.chunk = value;
				continue;
			}
			const n = Math.min(this.chunk.byteLength, into.byteLength - at);
			into.set(this.chunk.subarray(0, n), at);
			this.chunk = this.chunk.subarray(n);
			at += n;
		}
		return true;
	}

	/** The next frame; a WRITTEN frame has no payload here (its length is the file's). */
	async next(): Promise<{ type: number; length: number; payload: Uint8Array } | undefined> {
		const head = new Uint8Array(8);
		if (!(await this.fill(head, 0))) return undefined;
		const view = new DataView(head.buffer);
		const type = view.getUint32(0, true);
		const length = view.getUint32(4, true);
		const payload = new Uint8Array(type === FRAME_WRITTEN ? 0 : length);
		if (!(await this.fill(payload, 0))) throw new Error("the build process's output ends inside a frame");
		return { type, length, payload };
	}
}
