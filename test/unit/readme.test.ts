import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { IGNORED_VARIABLES, PREFIX, VARIABLES } from "../../src/config.ts";

const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");

describe("README", () => {
	test("starts with the two commands", () => {
		const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
		expect(firstBlock).toContain("make run");
		expect(firstBlock).toContain("make test");
	});

	test("documents every variable with its default", () => {
		for (const v of VARIABLES) {
			const row = readme.split("\n").find((l) => l.startsWith(`| \`${PREFIX}${v.name}\``));
			expect(row, `${PREFIX}${v.name} has no row`).toBeDefined();
			if (v.default !== undefined) expect(row).toContain(`\`${v.default}\``);
		}
	});

	test("names the Go registry's variables it ignores", () => {
		for (const name of IGNORED_VARIABLES) {
			const documented =
				readme.includes(name) || (name.startsWith(`${PREFIX}OIDC_`) && readme.includes(`${PREFIX}OIDC_*`));
			expect(documented, name).toBe(true);
		}
	});

	test("states the sample registry's numbers as data/registry.json has them", () => {
		const sample = JSON.parse(
			readFileSync(join(import.meta.dir, "..", "..", "data", "registry.json"), "utf8"),
		) as {
			servers: { server: { name: string } }[];
		};
		const actual = {
			entries: sample.servers.length,
			servers: new Set(sample.servers.map((s) => s.server.name)).size,
		};
		const stated = readme
			.split(/\n(?:\s*\n)+/)
			.filter((paragraph) => /\bsample\b/i.test(paragraph))
			.flatMap((paragraph) => [...paragraph.matchAll(/\b(\d+) (?:real |MCP )?(entries|servers)\b/g)])
			.map((m) => ({ text: m[0], count: Number(m[1]), of: m[2] as keyof typeof actual }));
		expect(stated.length).toBeGreaterThan(0);
		for (const s of stated) expect(s.count, `README: "${s.text}"`).toBe(actual[s.of]);
	});
});
