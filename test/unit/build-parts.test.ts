/**
 * A load in parts (parts.ts, build-process.ts) is the load on one thread: entries checked in
 * blocks by two threads and told in file order give the same entries, report, duplicates and
 * errors; the snapshot crosses processes as bytes (wire.ts) unchanged.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildInParts } from "../../src/registry/build-process.ts";
import { Tally } from "../../src/registry/entries.ts";
import { indexSteps, loadRegistryBytes, loadRegistryFile } from "../../src/registry/load.ts";
import { drain } from "../../src/registry/pace.ts";
import {
	BLOCK,
	checkPart,
	mergeParts,
	type Part,
	partMessage,
	partOfMessage,
	sortPart,
} from "../../src/registry/parts.ts";
import { RegistryLoadError } from "../../src/registry/report.ts";
import { itemsOfBytes } from "../../src/registry/shapes.ts";
import type { SnapshotData } from "../../src/registry/snapshot.ts";
import { timestampFromDate } from "../../src/registry/time.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/registry/wire.ts";
import { tempDir } from "../support/process.ts";
import { decoder, entryTexts, MTIME, OFFICIAL, SCHEMA } from "../support/registry-docs.ts";

const WORKER_URL = new URL("../../src/registry/load-worker.ts", import.meta.url).href;
const dir = tempDir("registry-parts-");
afterAll(() => dir.cleanup());

/**
 * A file of `n` entries with something of every kind: warnings, invalid documents, an official
 * field of the wrong type, duplicates of entries far back (in another block), a duplicate key.
 */
function registryText(n: number): string {
	const items: string[] = [];
	for (let i = 0; i < n; i++) {
		const name = `io.github.parts${i % 700}/server`;
		const version = `1.${Math.floor(i / 700)}.0`;
		let server = `{"$schema":"${SCHEMA}","name":"${name}","description":"Server ${i} é","version":"${version}"}`;
		if (i % 53 === 7) server = `{"name":"${name}","description":"","version":"${version}"}`; // warnings
		if (i % 97 === 11) server = `{"$schema":"${SCHEMA}","name":"${name}","description":"x","version":"^1.0"}`; // invalid
		if (i % 211 === 13)
			server = `{"$schema":"${SCHEMA}","name":"${name}","name":"${name}","description":"x","version":"${version}"}`;
		let official = `{"status":"${i % 31 === 0 ? "deprecated" : "active"}","publishedAt":"2025-0${1 + (i % 9)}-01T00:00:0${i % 10}.${i % 1000}Z","isLatest":${i % 3 === 0}}`;
		if (i % 89 === 17) official = `{"status":7}`;
		items.push(`{"server":${server},"_meta":{"${OFFICIAL}":${official}}}`);
		// A duplicate of an entry a few blocks back.
		if (i % 401 === 400) items.push(items[i - 3 * BLOCK] ?? (items[0] as string));
	}
	return `{"servers":[\n${items.join(",\n")}\n]}`;
}

/** Everything of a snapshot but the time it was made, comparable with toEqual. */
function comparable(d: SnapshotData): unknown {
	const { index } = d;
	const served = entryTexts(d);
	return {
		served,
		names: index.names,
		versions: index.versions,
		status: [...index.status],
		latest: [...index.latest],
		updated: index.updated,
		published: index.published,
		nameCount: index.nameCount,
		search: decoder.decode(index.searchBlob),
		offsets: [...index.searchOffsets],
		searchIndex: index.searchIndex,
		provenance: { ...d.provenance, loadedAt: "" },
	};
}

async function failure(p: Promise<unknown>): Promise<RegistryLoadError> {
	try {
		await p;
	} catch (err) {
		expect(err).toBeInstanceOf(RegistryLoadError);
		return err as RegistryLoadError;
	}
	throw new Error("expected a RegistryLoadError");
}

describe("wire", () => {
	test("a snapshot's data goes through bytes unchanged, its buffers views of one buffer", () => {
		const data = loadRegistryBytes(new TextEncoder().encode(registryText(600)), {
			file: "f.json",
			invalidEntries: "skip",
			mtime: MTIME,
			keepProblems: 1000,
		});
		const { pieces, length } = encodeSnapshot(data);
		const bytes = new Uint8Array(length);
		let at = 0;
		for (const piece of pieces) {
			bytes.set(piece, at);
			at += piece.byteLength;
		}
		const back = decodeSnapshot(bytes);
		expect(comparable(back)).toEqual(comparable(data));
		expect(back.provenance.loadedAt).toBe(data.provenance.loadedAt);
		expect(back.index.spans.buffer).toBe(bytes.buffer);
		expect((back.index.arena[0] as Uint8Array).buffer).toBe(bytes.buffer);
		expect(() => decodeSnapshot(bytes.subarray(0, length - 8))).toThrow("cut short");
	});
});

describe("a load in parts", () => {
	test("blocks checked by two parts, one passed as a Worker passes it, merge into the load on one thread", () => {
		const bytes = new TextEncoder().encode(registryText(3000));
		const options = { file: "f.json", invalidEntries: "skip" as const, mtime: MTIME, keepProblems: 10_000 };
		const whole = loadRegistryBytes(bytes, options);
		const source = drain(itemsOfBytes(bytes, "f.json"));
		if (!source) throw new Error("not split");
		// Blocks alternate between the parts, as two threads may take them.
		let next = 0;
		const blocks = Math.ceil(source.count / BLOCK);
		const claim = (parity: number) => () => {
			while (next < blocks && next % 2 !== parity) next++;
			if (next >= blocks) return undefined;
			const from = next++ * BLOCK;
			return { from, to: Math.min(source.count, from + BLOCK) };
		};
		const fallback = timestampFromDate(MTIME);
		const parts: Part[] = [];
		for (const parity of [0, 1]) {
			next = 0;
			const part = checkPart(source, claim(parity), fallback, 1 << 20);
			sortPart(part);
			parts.push(parity === 0 ? part : partOfMessage(structuredClone(partMessage(part).message)));
		}
		expect(parts.every((p) => p.kept.length > 0)).toBe(true);
		const tally = new Tally(source.shape, options.keepProblems);
		const merged = mergeParts(parts, source.count, tally);
		const report = tally.report(options, source.count);
		const { contentHash, md5 } = whole.provenance;
		const data = drain(
			indexSteps(merged.kept, merged.arena, merged.search, source.shape, report, {
				...options,
				contentHash,
				md5,
				fileBytes: bytes.byteLength,
			}),
		);
		expect(report.errors.count).toBeGreaterThan(50);
		expect(report.errors.first.some((p) => p.message.startsWith("duplicate of servers["))).toBe(true);
		expect(report.warnings.count).toBeGreaterThan(50);
		expect(comparable(data)).toEqual(comparable(whole));
	});

	test("with a helper thread: the same data, report and errors as the load on one thread", async () => {
		const path = join(dir.path, "parts.json");
		writeFileSync(path, registryText(4000));
		for (const invalidEntries of ["skip", "reject"] as const) {
			const request = { path, name: "parts.json", invalidEntries, keepProblems: 10_000 };
			const one = loadRegistryFile(path, request);
			const two = buildInParts({ ...request, parallelBytes: 1 }, WORKER_URL, () => {});
			if (invalidEntries === "skip") {
				const [a, b] = await Promise.all([one, two]);
				expect(comparable(b)).toEqual(comparable(a));
			} else {
				// Both awaited at once: whichever fails first is handled when it fails.
				const [a, b] = await Promise.all([failure(one), failure(two)]);
				expect(b.message).toBe(a.message);
				expect(b.report).toEqual(a.report);
			}
		}
	});

	test("with a helper thread: a file that is not JSON somewhere in its middle fails as on one thread", async () => {
		const path = join(dir.path, "broken.json");
		// The scanner delimits the entry (a number token is not checked there); JSON.parse refuses it.
		const text = registryText(2000).replace('"version":"1.2.0"', '"version":1.2.0');
		expect(text).toContain('"version":1.2.0');
		writeFileSync(path, text);
		const request = { path, name: "broken.json", invalidEntries: "skip" as const };
		const a = await failure(loadRegistryFile(path, request));
		const b = await failure(buildInParts({ ...request, parallelBytes: 1 }, WORKER_URL, () => {}));
		expect(b.message).toBe(a.message);
		expect(a.message).toContain("invalid JSON at line");
	});

	test("without an MD5 when asked: the content hash stays", async () => {
		const path = join(dir.path, "md5.json");
		writeFileSync(path, registryText(300));
		const request = { path, invalidEntries: "skip" as const };
		const one = await loadRegistryFile(path, request);
		for (const parallelBytes of [1, 1e12]) {
			const two = await buildInParts({ ...request, md5: false, parallelBytes }, WORKER_URL, () => {});
			expect(two.provenance.md5).toBe("");
			expect(two.provenance.contentHash).toBe(one.provenance.contentHash);
			expect(one.provenance.md5).toMatch(/^[0-9a-f]{32}$/);
		}
	});
});
