/**
 * A document whose bytes in the file are exactly what JSON.stringify writes of it is served from
 * those bytes (split.ts finds them, the arena copies them); any other is serialised again. Either
 * way what is served is JSON.stringify of the document: escapes, numbers, key order, spaces.
 */
import { describe, expect, test } from "bun:test";
import { loadRegistryBytes } from "../../src/registry/load.ts";
import { DOC_FIELDS, splitRegistry } from "../../src/registry/split.ts";
import { MTIME, OFFICIAL, SCHEMA } from "../support/registry-docs.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A server document's text, its description and a _meta value written as given. */
const doc = (i: number, description: string, meta: string) =>
	`{"$schema":"${SCHEMA}","name":"io.github.bytes/s${i}","description":"${description}","version":"1.0.0","_meta":{"io.modelcontextprotocol.registry/publisher-provided":${meta}}}`;

/** [description as written, publisher-provided value as written, written as JSON.stringify would?] */
const CASES: [string, string, boolean][] = [
	["plain", `{"a":1}`, true],
	['quote \\" backslash \\\\ newline \\n tab \\t', `{"a":"b"}`, true],
	["control \\u001f", `{}`, true],
	["control upper \\u001F", `{}`, false],
	["solidus \\/", `{}`, false],
	["letter \\u0041", `{}`, false],
	["lone surrogate \\ud800", `{}`, true],
	["pair \\ud83d\\ude00", `{}`, false],
	["raw é and \u2028", `{}`, true],
	["numbers", `{"n":10,"m":-12,"f":0.5,"e":1e+21}`, true],
	["minus zero", `{"n":-0}`, false],
	["exponent", `{"n":1E5}`, false],
	["trailing zero", `{"n":1.50}`, false],
	["big", `{"n":100000000000000000000000}`, false],
	["index key", `{"b":1,"7":2}`, false],
	["negative key", `{"b":1,"-1":2}`, true],
	["space", `{"a": 1}`, false],
	["literals", `{"t":true,"f":false,"z":null,"l":[1,[2,{}]]}`, true],
];

function file(top: "api" | "seed" | "fork"): string {
	const docs = CASES.map(([d, m], i) => doc(i, d, m));
	const official = `{"${OFFICIAL}":{"status":"active","publishedAt":"2025-01-01T00:00:00Z"}}`;
	if (top === "seed") return `[${docs.join(",")}]`;
	if (top === "fork")
		return `{"servers":[${docs.map((d, i) => `{"server_name":"io.github.bytes/s${i}","version":"1.0.0","value":${d}}`).join(",")}]}`;
	return `{"servers":[${docs.map((d) => `{"server":${d},"_meta":${official}}`).join(",")}]}`;
}

describe("documents served from their own bytes", () => {
	for (const top of ["api", "seed", "fork"] as const) {
		test(`${top}: the split finds the documents written as JSON.stringify writes them, and only those`, () => {
			const split = splitRegistry(encoder.encode(file(top)));
			expect(split).toBeDefined();
			const field = top === "api" ? 0 : top === "fork" ? 2 : 4;
			CASES.forEach(([description, , usual], i) => {
				const at = DOC_FIELDS * i + field;
				const found = top === "seed" ? split?.docs[at] === 1 : (split?.docs[at] as number) >= 0;
				expect(found, description).toBe(usual);
			});
		});

		test(`${top}: every document is served as JSON.stringify of it`, () => {
			const text = file(top);
			const data = loadRegistryBytes(encoder.encode(text), {
				file: "f.json",
				invalidEntries: "reject",
				mtime: MTIME,
			});
			const { index } = data;
			expect(index.count).toBe(CASES.length);
			for (let i = 0; i < index.count; i++) {
				const served = decoder.decode(
					(index.arena[index.chunkOf[i] as number] as Uint8Array).subarray(
						index.spans[2 * i],
						index.spans[2 * i + 1],
					),
				);
				const n = Number(/"io\.github\.bytes\/s(\d+)"/.exec(served)?.[1]);
				const [description, meta] = CASES[n] as [string, string, boolean];
				const original = JSON.parse(doc(n, description, meta));
				expect(served.startsWith(`{"server":${JSON.stringify(original)},"_meta":`), served).toBe(true);
			}
		});
	}
});
