/**
 * `registry diff`'s comparison and its output, on records the server's loader made of real
 * registry files (written to a temporary directory): what is added, removed and changed, which
 * fields, status and latest changes, the same registry in every shape, and hostile text that must
 * not break the text or the markdown.
 */
import { afterAll, describe, expect, test } from "bun:test";
import {
	diffRecords,
	formatDiff,
	isEmptyDiff,
	MARKDOWN_FOLD_AT,
	MARKDOWN_LIST_LIMIT,
	markdownCode,
	type RegistryDiff,
	TEXT_LIST_LIMIT,
} from "../../src/pipeline/diff.ts";
import { PULL_META, type RegistryRecord, readRegistry } from "../../src/pipeline/records.ts";
import { tempDir } from "../support/process.ts";
import { api, item, type Obj, server } from "../support/registry-docs.ts";

const work = tempDir("registry-diff-");
afterAll(() => work.cleanup());

let files = 0;
/** The records the loader makes of `doc` written as a file (mtime: when a seed file's entries were published). */
async function load(doc: unknown, mtime?: Date): Promise<RegistryRecord[]> {
	const path = work.write(`r${files++}.json`, doc, mtime);
	return (await readRegistry(path, { invalidEntries: "reject" })).records;
}

const T0 = "2025-03-01T00:00:00Z";
const T1 = "2025-04-01T00:00:00Z";
const official = (extra: Obj = {}): Obj => ({
	status: "active",
	publishedAt: T0,
	updatedAt: T0,
	statusChangedAt: T0,
	...extra,
});
const remote = (url: string) => ({ type: "streamable-http", url });

const A = "io.github.acme/alpha";
const B = "io.github.acme/beta";
const C = "io.github.acme/gamma";
const D = "io.github.acme/delta";

/** The old registry of most tests: alpha 1.0.0 and 1.1.0 (latest), beta 1.0.0, gamma 0.1.0 and 0.2.0. */
const oldDoc = () =>
	api(
		item(server(A, "1.0.0", { remotes: [remote("https://a.example/v1")] }), official()),
		item(server(A, "1.1.0", { remotes: [remote("https://a.example/v1")] }), official({ isLatest: true })),
		item(server(B, "1.0.0"), official()),
		item(server(C, "0.1.0"), official()),
		item(server(C, "0.2.0"), official()),
	);

describe("diffRecords", () => {
	test("a registry against itself, and against itself as read again: no differences", async () => {
		const records = await load(oldDoc());
		for (const d of [diffRecords(records, records), diffRecords(records, await load(oldDoc()))]) {
			expect(isEmptyDiff(d)).toBe(true);
			expect(Object.values(d.summary).every((n) => n === 0)).toBe(true);
		}
	});

	test("servers and versions added and removed, fields, status and latest changed", async () => {
		const before = await load(oldDoc());
		const after = await load(
			api(
				// alpha: 1.0.0 gets another remote URL and a description; 1.1.0 is deprecated with a
				// message; 1.2.0 is new and becomes the latest.
				item(
					server(A, "1.0.0", { description: "Alpha, moved", remotes: [remote("https://a.example/v2")] }),
					official({ updatedAt: T1 }),
				),
				item(
					server(A, "1.1.0", { remotes: [remote("https://a.example/v1")] }),
					official({ status: "deprecated", statusChangedAt: T1, statusMessage: "use 1.2.0" }),
				),
				item(server(A, "1.2.0"), official({ isLatest: true })),
				// beta: gone. gamma: 0.1.0 gone, 0.2.0 gains a package. delta: new.
				item(
					server(C, "0.2.0", {
						packages: [{ registryType: "npm", identifier: "g", transport: { type: "stdio" } }],
					}),
					official(),
				),
				item(server(D, "3.0.0"), official()),
				item(server(D, "2.0.0"), official()),
			),
		);
		const d = diffRecords(before, after);
		expect(d.serversAdded).toEqual([{ name: D, versions: ["2.0.0", "3.0.0"], latest: "3.0.0" }]);
		expect(d.serversRemoved).toEqual([{ name: B, versions: ["1.0.0"], latest: "1.0.0" }]);
		expect(d.versionsAdded).toEqual([{ name: A, version: "1.2.0" }]);
		expect(d.versionsRemoved).toEqual([{ name: C, version: "0.1.0" }]);
		expect(d.versionsChanged).toEqual([
			{ name: A, version: "1.0.0", fields: ["description", "remotes[0].url"], meta: ["official.updatedAt"] },
			// The status has a list of its own, and its time changed with it: only the message is a field.
			{ name: A, version: "1.1.0", fields: [], meta: ["official.statusMessage"] },
			{ name: C, version: "0.2.0", fields: ["packages"], meta: [] },
		]);
		expect(d.statusChanges).toEqual([{ name: A, version: "1.1.0", from: "active", to: "deprecated" }]);
		// gamma's latest is 0.2.0 on both sides (it only lost an older version): no latest change.
		expect(d.latestChanges).toEqual([{ name: A, from: "1.1.0", to: "1.2.0" }]);
		expect(d.summary).toEqual({
			serversAdded: 1,
			serversRemoved: 1,
			versionsAdded: 1,
			versionsRemoved: 1,
			versionsChanged: 3,
			statusChanges: 1,
			latestChanges: 1,
		});
		expect(isEmptyDiff(d)).toBe(false);
		// The other way round, everything the other way round.
		const back = diffRecords(after, before);
		expect(back.serversAdded.map((s) => s.name)).toEqual([B]);
		expect(back.serversRemoved.map((s) => s.name)).toEqual([D]);
		expect(back.statusChanges).toEqual([{ name: A, version: "1.1.0", from: "deprecated", to: "active" }]);
		expect(back.latestChanges).toEqual([{ name: A, from: "1.2.0", to: "1.1.0" }]);
	});

	test("a status change alone is no changed version; a moved statusChangedAt without one is", async () => {
		const before = await load(
			api(item(server(A, "1.0.0"), official()), item(server(B, "1.0.0"), official())),
		);
		const after = await load(
			api(
				item(server(A, "1.0.0"), official({ status: "deleted", statusChangedAt: T1 })),
				item(server(B, "1.0.0"), official({ statusChangedAt: T1 })),
			),
		);
		const d = diffRecords(before, after);
		expect(d.statusChanges).toEqual([{ name: A, version: "1.0.0", from: "active", to: "deleted" }]);
		expect(d.versionsChanged).toEqual([
			{ name: B, version: "1.0.0", fields: [], meta: ["official.statusChangedAt"] },
		]);
	});

	test("deep paths: nested keys, keys that are not identifiers, _meta of server.json and of the entry", async () => {
		const publisher = "io.modelcontextprotocol.registry/publisher-provided";
		const before = await load(
			api(
				item(
					server(A, "1.0.0", {
						repository: { url: "https://github.com/acme/alpha", source: "github" },
						_meta: { [publisher]: { tools: ["a"] } },
					}),
					official(),
					{ "com.example/extra": { tier: 1 } },
				),
			),
		);
		const after = await load(
			api(
				item(
					server(A, "1.0.0", {
						repository: { url: "https://github.com/acme/alpha2", source: "github" },
						_meta: { [publisher]: { tools: ["b"] } },
						websiteUrl: "https://alpha.example",
					}),
					official(),
					{ "com.example/extra": { tier: 2 } },
				),
			),
		);
		expect(diffRecords(before, after).versionsChanged).toEqual([
			{
				name: A,
				version: "1.0.0",
				fields: ["repository.url", `_meta[${JSON.stringify(publisher)}].tools[0]`, "websiteUrl"],
				meta: ['["com.example/extra"].tier'],
			},
		]);
	});

	test("the pull bookkeeping and the isLatest flag are never a changed field", async () => {
		const before = await load(
			api(
				item(server(A, "1.0.0"), official({ isLatest: true }), { [PULL_META]: { pulledAt: T0 } }),
				item(server(A, "2.0.0"), official({ isLatest: false }), { [PULL_META]: { pulledAt: T0 } }),
			),
		);
		const after = await load(
			api(
				item(server(A, "1.0.0"), official({ isLatest: false }), { [PULL_META]: { pulledAt: T1, from: "x" } }),
				item(server(A, "2.0.0"), official({ isLatest: true })),
			),
		);
		const d = diffRecords(before, after);
		expect(d.versionsChanged).toEqual([]);
		expect(d.latestChanges).toEqual([{ name: A, from: "1.0.0", to: "2.0.0" }]);
		expect(
			diffRecords(
				before,
				await load(
					api(
						item(server(A, "1.0.0"), official({ isLatest: true })),
						item(server(A, "2.0.0"), official({ isLatest: false }), { [PULL_META]: { pulledAt: T1 } }),
					),
				),
			).summary,
		).toEqual({ ...d.summary, latestChanges: 0 });
	});

	test("the same registry in every shape the server accepts: no differences", async () => {
		const docs = [
			server(A, "1.0.0"),
			server(A, "1.1.0"),
			server(B, "0.1.0", { remotes: [remote("https://b.example")] }),
		];
		const asApi = await load(api(...docs.map((d) => item(d, official()))));
		const asSeed = await load(docs, new Date(T0));
		const asFork = await load({
			servers: docs.map((d) => ({
				server_name: d.name,
				version: d.version,
				status: "active",
				published_at: T0,
				updated_at: T0,
				value: d,
			})),
		});
		expect(asSeed.length).toBe(3);
		for (const [x, y] of [
			[asApi, asSeed],
			[asSeed, asFork],
			[asFork, asApi],
		] as const) {
			expect(diffRecords(x, y)).toEqual(diffRecords(asApi, asApi));
			expect(isEmptyDiff(diffRecords(x, y))).toBe(true);
		}
		// And a seed file of another time is a different registry: every timestamp moved.
		const later = diffRecords(asSeed, await load(docs, new Date(T1)));
		expect(later.versionsChanged.map((c) => c.meta)).toEqual(
			Array(3).fill(["official.statusChangedAt", "official.publishedAt", "official.updatedAt"]),
		);
	});

	test("records in any order compare as in list order", async () => {
		const before = await load(oldDoc());
		const after = await load(api(item(server(A, "1.0.0"), official()), item(server(D, "1.0.0"), official())));
		expect(diffRecords([...before].reverse(), [...after].reverse())).toEqual(diffRecords(before, after));
	});
});

describe("formatDiff", () => {
	const labels = { old: "old.json", new: "new.json" };

	async function sampleDiff(): Promise<RegistryDiff> {
		return diffRecords(
			await load(oldDoc()),
			await load(
				api(
					item(server(A, "1.0.0", { remotes: [remote("https://a.example/v2")] }), official()),
					item(
						server(A, "1.1.0", { remotes: [remote("https://a.example/v1")] }),
						official({ status: "deprecated", statusChangedAt: T1 }),
					),
					item(server(A, "1.2.0"), official({ isLatest: true })),
					item(server(C, "0.2.0"), official()),
					item(server(D, "1.0.0"), official()),
				),
			),
		);
	}

	test("text: a summary line, then each list that is not empty", async () => {
		expect(formatDiff(await sampleDiff(), "text", labels)).toBe(
			[
				"old.json → new.json: 1 server added, 1 server removed, 1 version added, 1 version removed, 1 version changed, 1 status change, 1 latest change",
				"",
				"Servers added (1):",
				`  + ${D}: 1.0.0`,
				"",
				"Servers removed (1):",
				`  - ${B}: 1.0.0`,
				"",
				"Versions added (1):",
				`  + ${A} 1.2.0`,
				"",
				"Versions removed (1):",
				`  - ${C} 0.1.0`,
				"",
				"Versions changed (1):",
				`  ~ ${A} 1.0.0: remotes[0].url`,
				"",
				"Status changes (1):",
				`  ${A} 1.1.0: active → deprecated`,
				"",
				"Latest-version changes (1):",
				`  ${A}: 1.1.0 → 1.2.0`,
				"",
			].join("\n"),
		);
		const same = diffRecords(await load(oldDoc()), await load(oldDoc()));
		expect(formatDiff(same, "text", labels)).toBe("old.json → new.json: no differences\n");
		expect(formatDiff(same, "text")).toBe("no differences\n");
	});

	test("markdown: a heading, a summary table, a list per change; json: the diff itself", async () => {
		const d = await sampleDiff();
		const md = formatDiff(d, "markdown", labels);
		expect(md.startsWith("### Registry diff: `old.json` → `new.json`\n\n**1 server added,")).toBe(true);
		expect(md).toContain("| Change | Count |\n| --- | ---: |\n| Servers added | 1 |\n");
		expect(md).toContain("| Latest-version changes | 1 |\n");
		expect(md).toContain(`#### Versions changed (1)\n\n- \`${A}\` \`1.0.0\`: \`remotes[0].url\`\n`);
		expect(md).toContain(`#### Status changes (1)\n\n- \`${A}\` \`1.1.0\`: active → deprecated\n`);
		expect(md).toContain(`#### Latest-version changes (1)\n\n- \`${A}\`: \`1.1.0\` → \`1.2.0\`\n`);
		expect(md).not.toContain("<details>");
		const same = diffRecords(await load(oldDoc()), await load(oldDoc()));
		expect(formatDiff(same, "markdown", labels)).toBe(
			"### Registry diff: `old.json` → `new.json`\n\nNo differences.\n",
		);
		expect(JSON.parse(formatDiff(d, "json", labels))).toEqual(JSON.parse(JSON.stringify(d)));
	});

	test("long lists: text and markdown show the first of each and count the rest, json all", async () => {
		const many = TEXT_LIST_LIMIT + 50;
		const docs = Array.from({ length: many }, (_, i) =>
			item(server(`io.github.acme/s${String(i).padStart(4, "0")}`, "1.0.0"), official()),
		);
		const d = diffRecords([], await load(api(...docs)));
		expect(d.serversAdded.length).toBe(many);
		const text = formatDiff(d, "text").split("\n");
		expect(text.filter((l) => l.startsWith("  + ")).length).toBe(TEXT_LIST_LIMIT);
		expect(text).toContain("  … and 50 more");
		const md = formatDiff(d, "markdown");
		expect(md.split("\n").filter((l) => l.startsWith("- `")).length).toBe(MARKDOWN_LIST_LIMIT);
		expect(md).toContain(`- … and ${many - MARKDOWN_LIST_LIMIT} more\n`);
		expect(md).toContain(`<details><summary>${many} servers added</summary>\n\n- \``);
		expect(md).toContain("\n\n</details>");
		expect(many).toBeGreaterThan(MARKDOWN_FOLD_AT);
		expect((JSON.parse(formatDiff(d, "json")) as RegistryDiff).serversAdded.length).toBe(many);
	});

	test("hostile text from a file stays on its line and inside its code span", async () => {
		// The loader accepts backticks, pipes and `<` in a version, and anything in a key.
		const version = "1.0.0 `x` | <b>";
		const key = "we\nird`|<script>";
		const before = await load(api(item(server(A, version, { [key]: 1 }), official())));
		const after = await load(api(item(server(A, version, { [key]: 2 }), official())));
		const d = diffRecords(before, after);
		expect(d.versionsChanged).toEqual([{ name: A, version, fields: [`[${JSON.stringify(key)}]`], meta: [] }]);
		const text = formatDiff(d, "text").split("\n");
		expect(text).toContain(`  ~ ${A} ${version}: ["we\\nird\`|<script>"]`);
		const md = formatDiff(d, "markdown");
		expect(md).toContain(`- \`${A}\` \`\`${version}\`\`: \`\`["we\\nird\`|<script>"]\`\`\n`);

		// A name and version as hostile as a diff can hold (a caller's records are not checked).
		const name = "evil\n### forged\r\n| a | b |`</details><script>x`";
		const hostile: RegistryDiff = diffRecords(
			[],
			[{ ...(after[0] as RegistryRecord), name, version: "``1`\u001b[31m" }],
		);
		const forged = formatDiff(hostile, "text", { old: "a\nb", new: "c" });
		expect(forged.split("\n")).toEqual([
			"a\\nb → c: 1 server added",
			"",
			"Servers added (1):",
			"  + evil\\n### forged\\r\\n| a | b |`</details><script>x`: ``1`\\u001b[31m",
			"",
		]);
		const mdLines = formatDiff(hostile, "markdown", { old: "`a`", new: "c" }).split("\n");
		expect(mdLines[0]).toBe("### Registry diff: `` `a` `` → `c`");
		expect(mdLines).toContain(
			"- `` evil\\n### forged\\r\\n| a | b |`</details><script>x` ``: ``` ``1`\\u001b[31m ```",
		);
		// The name is in its list item only: no heading and no table row of its own.
		expect(mdLines.filter((l) => l.includes("evil"))).toEqual([
			mdLines.find((l) => l.startsWith("- ")) ?? "",
		]);
		// JSON: the same strings, escaped as JSON escapes them, and no raw C1 or line separator.
		const json = formatDiff(
			diffRecords([], [{ ...(after[0] as RegistryRecord), name: "a\u0085b\u2028c" }]),
			"json",
		);
		expect(json).not.toMatch(/[\u0085\u2028]/);
		expect((JSON.parse(json) as RegistryDiff).serversAdded[0]?.name).toBe("a\u0085b\u2028c");
	});

	test("markdownCode: any run of backticks, and spaces at the ends, kept", () => {
		expect(markdownCode("plain")).toBe("`plain`");
		expect(markdownCode("a`b")).toBe("``a`b``");
		expect(markdownCode("`a``")).toBe("``` `a`` ```");
		expect(markdownCode(" x")).toBe("`  x `");
		expect(markdownCode("a|b<c")).toBe("`a|b<c`");
	});
});

describe("long or bidirectional text from the files", () => {
	const diff = (name: string, field: string): RegistryDiff => ({
		summary: {
			serversAdded: 1,
			serversRemoved: 0,
			versionsAdded: 0,
			versionsRemoved: 0,
			versionsChanged: 1,
			statusChanges: 0,
			latestChanges: 0,
		},
		serversAdded: [{ name, versions: ["1.0.0"], latest: "1.0.0" }],
		serversRemoved: [],
		versionsAdded: [],
		versionsRemoved: [],
		versionsChanged: [{ name: "io.github.a/b", version: "1.0.0", fields: [field], meta: [] }],
		statusChanges: [],
		latestChanges: [],
	});

	test("an item is cut at 200 characters in text and markdown, never in JSON", () => {
		const d = diff("io.github.a/b", `_meta["${"k".repeat(200_000)}"]`);
		for (const format of ["text", "markdown"] as const) {
			const out = formatDiff(d, format);
			expect(out.length).toBeLessThan(5_000);
			expect(out).toContain(`${"k".repeat(190)}`);
			expect(out).toContain("…");
		}
		expect(formatDiff(d, "json").length).toBeGreaterThan(200_000);
	});

	test("a right-to-left override in a name is shown escaped, not obeyed", () => {
		const d = diff("io.github.evil/\u202eexe.gnp", "description");
		for (const format of ["text", "markdown"] as const) {
			const out = formatDiff(d, format);
			expect(out).not.toContain("\u202e");
			expect(out).toContain("io.github.evil/\\u202eexe.gnp");
		}
	});
});
