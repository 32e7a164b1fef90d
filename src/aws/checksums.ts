/**
 * Streaming checksums for S3 integrity checks: CRC32, CRC32C and CRC64NVME in plain
 * TypeScript (so Bun and Deno agree), SHA-1 / SHA-256 / MD5 from node:crypto. Each digest is
 * returned as S3 sends it in `x-amz-checksum-*`: base64 of the big-endian value.
 */
import { createHash, type Hash } from "node:crypto";

export interface Digest {
	update(chunk: Uint8Array): void;
	/** base64 of the big-endian digest. */
	digest(): string;
}

function crc32Table(poly: number): Uint32Array {
	const t = new Uint32Array(256);
	for (let i = 0; i < 256; i++) {
		let c = i;
		for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
		t[i] = c >>> 0;
	}
	return t;
}

const CRC32 = crc32Table(0xedb88320);
const CRC32C = crc32Table(0x82f63b78);

function crc32Digest(table: Uint32Array): Digest {
	let crc = 0xffffffff;
	return {
		update(chunk) {
			let c = crc;
			for (let i = 0; i < chunk.length; i++)
				c = (table[(c ^ (chunk[i] as number)) & 0xff] as number) ^ (c >>> 8);
			crc = c;
		},
		digest() {
			const v = (crc ^ 0xffffffff) >>> 0;
			const b = Buffer.alloc(4);
			b.writeUInt32BE(v);
			return b.toString("base64");
		},
	};
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), kept as two 32-bit halves for speed.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
	const polyLo = 0xac4bc9b5;
	const polyHi = 0x9a6c9329;
	for (let i = 0; i < 256; i++) {
		let lo = i;
		let hi = 0;
		for (let k = 0; k < 8; k++) {
			const carry = lo & 1;
			lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
			hi >>>= 1;
			if (carry) {
				lo = (lo ^ polyLo) >>> 0;
				hi = (hi ^ polyHi) >>> 0;
			}
		}
		CRC64_LO[i] = lo;
		CRC64_HI[i] = hi;
	}
}

function crc64Digest(): Digest {
	let lo = 0xffffffff;
	let hi = 0xffffffff;
	return {
		update(chunk) {
			let l = lo;
			let h = hi;
			for (let i = 0; i < chunk.length; i++) {
				const idx = (l ^ (chunk[i] as number)) & 0xff;
				l = (((l >>> 8) | (h << 24)) ^ (CRC64_LO[idx] as number)) >>> 0;
				h = ((h >>> 8) ^ (CRC64_HI[idx] as number)) >>> 0;
			}
			lo = l;
			hi = h;
		},
		digest() {
			const b = Buffer.alloc(8);
			b.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
			b.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
			return b.toString("base64");
		},
	};
}

function hashDigest(algorithm: string, encoding: "base64" | "hex" = "base64"): Digest {
	const h: Hash = createHash(algorithm);
	return { update: (chunk) => void h.update(chunk), digest: () => h.digest(encoding) };
}

/** S3's checksum algorithms, in the order the SDK prefers when several are sent. */
export const CHECKSUM_ALGORITHMS = ["sha256", "sha1", "crc32", "crc32c", "crc64nvme"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function checksumDigest(algorithm: ChecksumAlgorithm): Digest {
	switch (algorithm) {
		case "crc32":
			return crc32Digest(CRC32);
		case "crc32c":
			return crc32Digest(CRC32C);
		case "crc64nvme":
			return crc64Digest();
		case "sha1":
			return hashDigest("sha1");
		case "sha256":
			return hashDigest("sha256");
	}
}

export function md5Hex(): Digest {
	return hashDigest("md5", "hex");
}
