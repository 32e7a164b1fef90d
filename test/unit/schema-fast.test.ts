/**
 * The quick check of server documents (schema-fast.ts) against valibot's (schema.ts): it may
 * only pass a document valibot finds no error in, and it passes every valid document of the
 * fixtures and of their mutations but those it is documented to leave to valibot (an array
 * where an object is expected, a key such as "constructor").
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateServerDocument } from "../../src/registry/schema.ts";
import { isPlainValidServerDocument } from "../../src/registry/schema-fast.ts";
import { rng } from "../support/random.ts";

type Obj = Record<string, unknown>;
const fixtures = join(import.meta.dir, "..", "fixtures");
const seed = JSON.parse(readFileSync(join(fixtures, "real-seed-358-servers.json"), "utf8")) as Obj[];
const page = JSON.parse(readFileSync(join(fixtures, "real-api-page-30-entries.json"), "utf8")) as {
	servers: { server: Obj }[];
};
const DOCS: Obj[] = [...seed, ...page.servers.map((s) => s.server)];

/** Values that break one rule or another, or none. */
const ODD: unknown[] = [
	null,
	0,
	1.5,
	"",
	"x",
	"latest",
	"^1.0.0",
	"1.x",
	"1.0.0",
	"a".repeat(300),
	"http://a b",
	"https://example.com/{v}",
	"https://example.com/{}",
	"https://{host}/mcp",
	"ftp://x",
	"https://example.com/icon.png",
	"stdio",
	"sse",
	"npm",
	"named",
	"positional",
	"filepath",
	"image/png",
	"dark",
	"48x48",
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"io.github.x/y",
	"tab\there",
	[],
	["x"],
	[{}],
	{},
	{ name: "x" },
	{ type: "stdio" },
	true,
	false,
];
const KEYS = [
	"name",
	"version",
	"type",
	"url",
	"headers",
	"variables",
	"valueHint",
	"value",
	"format",
	"executable",
	"transport",
	"registryType",
	"identifier",
	"constructor",
	"__proto__",
	"prototype",
	"choices",
	"isRequired",
	"src",
	"sizes",
	"title",
	"io.modelcontextprotocol.registry/publisher-provided",
];

function mutate(x: unknown, random: () => number, rate: number): unknown {
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
	if (Array.isArray(x)) {
		const out = x.map((v) => mutate(v, random, rate));
		if (random() < rate) out.push(pick(ODD));
		if (random() < rate && out.length > 0) out.pop();
		return out;
	}
	if (x !== null && typeof x === "object") {
		const out: Obj = {};
		for (const [k, v] of Object.entries(x)) {
			const r = random();
			if (r < rate) continue;
			out[k] = r < 2 * rate ? pick(ODD) : mutate(v, random, rate);
		}
		if (random() < rate)
			Object.defineProperty(out, pick(KEYS), {
				value: pick(ODD),
				enumerable: true,
				writable: true,
				configurable: true,
			});
		return out;
	}
	return x;
}

/** Has an array where the quick check wants an object, or a key it leaves to valibot. */
function exotic(x: unknown): boolean {
	if (Array.isArray(x)) return x.some(exotic);
	if (x === null || typeof x !== "object") return false;
	for (const k of Object.keys(x)) {
		if (k === "constructor" || k === "__proto__" || k === "prototype") return true;
		const v = (x as Obj)[k];
		if (
			Array.isArray(v) &&
			![
				"choices",
				"headers",
				"icons",
				"packages",
				"remotes",
				"runtimeArguments",
				"packageArguments",
				"environmentVariables",
				"sizes",
			].includes(k)
		)
			return true;
		if (exotic(v)) return true;
	}
	return false;
}

describe("isPlainValidServerDocument", () => {
	test("passes every valid fixture document", () => {
		for (const doc of DOCS) {
			expect(validateServerDocument(doc), String(doc.name)).toEqual([]);
			expect(isPlainValidServerDocument(doc), String(doc.name)).toBe(true);
		}
	});

	test("never passes a document valibot finds an error in, and passes the valid ones (thousands of mutations)", () => {
		const random = rng(42);
		let invalid = 0;
		let valid = 0;
		for (let round = 0; round < 20; round++) {
			for (const doc of DOCS) {
				const mutant = mutate(doc, random, 0.02 + (round % 5) * 0.02);
				const errors = validateServerDocument(mutant);
				const quick = isPlainValidServerDocument(mutant);
				if (errors.length > 0) {
					invalid++;
					expect(quick, JSON.stringify(errors)).toBe(false);
				} else {
					valid++;
					if (!exotic(mutant)) expect(quick, JSON.stringify(mutant).slice(0, 300)).toBe(true);
				}
			}
		}
		// Both kinds were met, many times over.
		expect(invalid).toBeGreaterThan(1000);
		expect(valid).toBeGreaterThan(1000);
	});

	test("leaves to valibot what it may judge otherwise: arrays for objects, special keys", () => {
		const base = DOCS[0] as Obj;
		// valibot takes an array as an object (of no fields): the quick check does not say so.
		expect(isPlainValidServerDocument({ ...base, repository: [] })).toBe(false);
		expect(validateServerDocument({ ...base, repository: [] })).toEqual([]);
		// A variable named "constructor" is left out of what valibot's record outputs.
		const remote = { type: "sse", url: "https://x.example/{constructor}", variables: { constructor: {} } };
		expect(isPlainValidServerDocument({ ...base, remotes: [remote] })).toBe(false);
		expect(validateServerDocument({ ...base, remotes: [remote] }).length).toBeGreaterThan(0);
	});
});
