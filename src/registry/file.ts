/**
 * A registry file as one load reads it: opened without blocking and refused unread when it is
 * not a regular file (a FIFO, a device, a directory: a read of those can hang past any timeout
 * and hold a file-system thread for good) or when it is over MCP_REGISTRY_MAX_FILE_BYTES; read
 * whole once, then its entries again a window at a time; checked afterwards not to have changed
 * in between. Every failure is a RegistryLoadError naming the file.
 */
import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import type { InvalidEntries } from "./load.ts";
import { RegistryLoadError } from "./report.ts";
import type { EntryBytes } from "./shapes.ts";

export interface LoadFileOptions {
	invalidEntries: InvalidEntries;
	/** Build in slices of this many milliseconds, letting requests through between them. */
	pacedMs?: number;
	/** How messages and /health name the data (default: the path), e.g. the S3 object it came from. */
	name?: string;
	/** How many errors and warnings the report keeps in full (default 20); all are counted. */
	keepProblems?: number;
	/** Abandons the read, and a paced build between slices (a build in one go runs to its end). */
	signal?: AbortSignal;
	/** MCP_REGISTRY_MAX_FILE_BYTES: a larger file is refused before it is read. */
	maxBytes?: number;
	/** Called once the file is read whole: what is left is building (and windows of the file). */
	onRead?: () => void;
	/** Read the file into a SharedArrayBuffer (threads then share its bytes, uncopied). */
	shared?: boolean;
}

/**
 * Frees the memory of bytes read for one load now rather than at some later collection (their
 * views become empty): the rest of the build then reuses it rather than adding to the peak.
 */
export function discard(bytes: Uint8Array): void {
	const buffer = bytes.buffer;
	if (!(buffer instanceof ArrayBuffer) || typeof buffer.transfer !== "function" || buffer.detached) return;
	// Only a buffer wholly these bytes' (never a slice of a shared pool).
	if (bytes.byteOffset === 0 && buffer.byteLength === bytes.byteLength) buffer.transfer(0);
}

/** A file refused for its size: the message names it, its size, the limit and the variable. */
export class FileTooLargeError extends RegistryLoadError {
	constructor(name: string, size: number, maxBytes: number, known = true) {
		super(
			`${name}: the file is ${known ? "" : "more than "}${size} bytes, over the limit of ${maxBytes} bytes (MCP_REGISTRY_MAX_FILE_BYTES); not loaded`,
		);
		this.name = "FileTooLargeError";
	}
}

interface Read {
	bytes: Uint8Array;
	mtime: Date;
	size: number;
	mtimeMs: number;
}

/** Opens `path` for reading without waiting on it: a FIFO with no writer would block the open. */
async function openWithoutBlocking(path: string): Promise<FileHandle> {
	return open(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** A regular file's bytes, refused unread when it is not a regular file or over `maxBytes`. */
async function readHandle(
	handle: FileHandle,
	name: string,
	options: { maxBytes?: number; signal?: AbortSignal; shared?: boolean },
): Promise<Read> {
	const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
	const info = await handle.stat();
	if (!info.isFile()) {
		const what = info.isFIFO() ? "a FIFO" : info.isDirectory() ? "a directory" : "not a regular file";
		throw new RegistryLoadError(`${name}: is ${what}; a registry file must be a regular file; not loaded`);
	}
	// Refused by its size, before a byte is read.
	if (info.size > max) throw new FileTooLargeError(name, info.size, max);
	if (options.shared) {
		// Its size, as stat gave it: a file that changes meanwhile is refused afterwards (withFile).
		const bytes = new Uint8Array(new SharedArrayBuffer(info.size));
		if ((await readAt(handle, bytes, 0)) < info.size) throw changed(name);
		return { bytes, mtime: info.mtime, size: info.size, mtimeMs: info.mtimeMs };
	}
	const bytes = await handle.readFile({ signal: options.signal });
	if (bytes.byteLength > max) throw new FileTooLargeError(name, bytes.byteLength, max);
	return { bytes, mtime: info.mtime, size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * A file's bytes and modification time. Over `maxBytes` it is not read: FileTooLargeError names
 * it (as `name`), its size and MCP_REGISTRY_MAX_FILE_BYTES. Other failures throw as fs does.
 */
export async function readRegistryFile(
	path: string,
	options: { name?: string; maxBytes?: number; signal?: AbortSignal } = {},
): Promise<{ bytes: Uint8Array; mtime: Date }> {
	const handle = await openWithoutBlocking(path);
	try {
		const { bytes, mtime } = await readHandle(handle, options.name ?? path, options);
		return { bytes, mtime };
	} finally {
		await handle.close().catch(() => {});
	}
}

/** A failure to open or read `path` as a RegistryLoadError naming it. */
export function readError(path: string, err: unknown): RegistryLoadError {
	if (err instanceof RegistryLoadError) return err;
	const code = (err as NodeJS.ErrnoException).code;
	return new RegistryLoadError(
		code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read: ${(err as Error).message}`,
	);
}

/** Fills `buffer` with the file's bytes from `position`; short only if the file is. */
async function readAt(handle: FileHandle, buffer: Uint8Array, position: number): Promise<number> {
	let read = 0;
	while (read < buffer.byteLength) {
		const { bytesRead } = await handle.read(buffer, read, buffer.byteLength - read, position + read);
		if (bytesRead === 0) break;
		read += bytesRead;
	}
	return read;
}

/** How much of a file a load re-reads at a time (or one entry, when it is larger). */
const WINDOW = 1 << 20;

const changed = (name: string) =>
	new RegistryLoadError(`${name}: the file changed while it was being read; not loaded (load it again)`);

/**
 * A file's entries read again, a window of whole entries at a time, in file order: a load holds
 * a few MiB of the file rather than all of it next to what it builds.
 */
class FileWindow implements EntryBytes {
	private buffer = new Uint8Array(0);
	private from = 0;
	private to = 0;

	constructor(
		private readonly handle: FileHandle,
		private readonly ranges: ArrayLike<number>,
		private readonly name: string,
	) {}

	prepare(i: number): Promise<void> | undefined {
		const { ranges } = this;
		const start = ranges[2 * i] as number;
		if (start >= this.from && (ranges[2 * i + 1] as number) <= this.to) return undefined;
		let last = i;
		while (2 * last + 3 < ranges.length && (ranges[2 * last + 3] as number) - start <= WINDOW) last++;
		const length = (ranges[2 * last + 1] as number) - start;
		if (this.buffer.byteLength < length) this.buffer = new Uint8Array(Math.max(length, WINDOW));
		this.from = 0;
		this.to = 0;
		return readAt(this.handle, this.buffer.subarray(0, length), start).then((read) => {
			if (read < length) throw changed(this.name);
			this.from = start;
			this.to = start + length;
		});
	}

	of(i: number): Uint8Array {
		return this.buffer.subarray(
			(this.ranges[2 * i] as number) - this.from,
			(this.ranges[2 * i + 1] as number) - this.from,
		);
	}
}

/** A registry file as a load reads it: whole for the first pass, then its entries again. */
export interface Input {
	bytes: Uint8Array;
	/** Where the entries come from once the file is split; `bytes` are then `spare`. */
	reread?: (ranges: ArrayLike<number>) => EntryBytes;
	/** `bytes` once the entries are read from elsewhere: free to be overwritten, or let go. */
	spare?: Uint8Array;
	/** The whole file again, after `bytes` went: for the message of an entry found not to be JSON. */
	whole?: () => Promise<Uint8Array>;
	/** Every entry is read: what the load still holds of the file and does not use can go. */
	release?: () => void;
}

/**
 * Opens a registry file for one load (refusing it unread when over `maxBytes`), reads it, and
 * runs `use` on it; the file is checked afterwards not to have changed in between.
 */
export async function withFile<T>(
	path: string,
	options: LoadFileOptions,
	use: (input: Input, mtime: Date) => Promise<T>,
): Promise<T> {
	const name = options.name ?? path;
	let handle: FileHandle;
	try {
		handle = await openWithoutBlocking(path);
	} catch (err) {
		throw readError(path, err);
	}
	try {
		let read: Read;
		try {
			read = await readHandle(handle, name, options);
		} catch (err) {
			throw readError(path, err);
		}
		options.onRead?.();
		const { bytes } = read;
		const input: Input = {
			bytes,
			// Unless the bytes became the arena's first chunk (see buildSteps), they can go.
			release: () => {
				if (!input.spare) discard(bytes);
			},
			reread: (ranges) => {
				input.spare = bytes;
				return new FileWindow(handle, ranges, name);
			},
			whole: async () => {
				const again = new Uint8Array(read.size);
				if ((await readAt(handle, again, 0)) < read.size) throw changed(name);
				return again;
			},
		};
		let result: T;
		try {
			result = await use(input, read.mtime);
		} catch (err) {
			// Whatever goes wrong names the file: never a bare message (or a stack trace) without it.
			if (err instanceof RegistryLoadError || (err as Error).name === "AbortError") throw err;
			throw new RegistryLoadError(`${name}: cannot load: ${(err as Error).message}`);
		}
		const now = await handle.stat();
		if (now.size !== read.size || now.mtimeMs !== read.mtimeMs) throw changed(name);
		return result;
	} finally {
		await handle.close().catch(() => {});
	}
}
