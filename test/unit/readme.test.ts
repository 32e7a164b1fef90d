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
});
