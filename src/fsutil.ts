/** Writing files so that a crash never leaves a half-written one in place. */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A unique temporary name beside `target`, so the final rename stays on one file system. */
export function tempPathFor(target: string): string {
	return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

export async function fsyncDir(dir: string): Promise<void> {
	const handle = await open(dir, "r");
	try {
		await handle.sync();
	} catch {
		// Some file systems refuse fsync on directories; the rename is still atomic there.
	} finally {
		await handle.close();
	}
}

/** The permission bits a replacement of `target` gets: the old file's, or 0644. */
export async function modeFor(target: string): Promise<number> {
	try {
		return (await stat(target)).mode & 0o7777;
	} catch {
		return 0o644;
	}
}

/** `mkdir -p` of the folder `target` goes in; each folder it makes gets 0755 (less the umask). */
export async function makeParentDir(target: string): Promise<void> {
	await mkdir(dirname(target), { recursive: true, mode: 0o755 });
}

/**
 * Writes `bytes` to a new temporary file beside `target` (with the mode `target` has), fsynced;
 * returns its path. The folder is made first when it does not exist yet.
 */
export async function writeTempBeside(target: string, bytes: Uint8Array): Promise<string> {
	await makeParentDir(target);
	const temp = tempPathFor(target);
	const mode = await modeFor(target);
	const handle = await open(temp, "wx", mode);
	try {
		await handle.writeFile(bytes);
		await handle.chmod(mode);
		await handle.sync();
	} catch (err) {
		await handle.close();
		await unlink(temp).catch(() => {});
		throw err;
	}
	await handle.close();
	return temp;
}

/** Renames a temporary file over `target` and fsyncs the folder; the temporary file goes on failure. */
export async function commitTemp(temp: string, target: string): Promise<void> {
	try {
		await rename(temp, target);
	} catch (err) {
		await unlink(temp).catch(() => {});
		throw err;
	}
	await fsyncDir(dirname(target));
}

/**
 * Writes `bytes` to a temporary file, fsyncs it, renames it over `target`, fsyncs the directory.
 * The folder is made first when it does not exist yet.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array): Promise<void> {
	await commitTemp(await writeTempBeside(target, bytes), target);
}
