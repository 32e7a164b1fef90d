/**
 * A file's hashes: SHA-256 (its content hash, for /health) and MD5 (compared with S3 ETags; only
 * when asked), over its bytes a MiB at a time, so a load can hash between other work.
 */
import { createHash, type Hash } from "node:crypto";

const STEP = 1 << 20;

export class FileHasher {
	private at = 0;
	private readonly sha256 = createHash("sha256");
	private readonly md5: Hash | undefined;

	constructor(
		private readonly bytes: Uint8Array,
		md5 = true,
	) {
		this.md5 = md5 ? createHash("md5") : undefined;
	}

	/** Hashes the next MiB; false when nothing was left. */
	step(): boolean {
		if (this.at >= this.bytes.byteLength) return false;
		const chunk = this.bytes.subarray(this.at, this.at + STEP);
		this.sha256.update(chunk);
		this.md5?.update(chunk);
		this.at += chunk.byteLength;
		return true;
	}

	/** The hashes, once what is left is hashed (MD5 "" when not asked for). */
	digest(): { contentHash: string; md5: string } {
		while (this.step());
		return { contentHash: this.sha256.digest("hex"), md5: this.md5?.digest("hex") ?? "" };
	}
}
