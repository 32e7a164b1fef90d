/**
 * Generates a realistic registry file in the API list shape: servers shaped like the real
 * seed and the real API page (packages, remotes, env vars, icons), several versions per name,
 * a few deprecated and deleted. Deterministic for a given size and seed. A variant (a short label)
 * gives the same names, versions and sizes with every description changed: a file to reload in
 * place of the first, under load, with no URL breaking.
 *
 *   bun bench/generate.ts ENTRIES OUT.json [SEED] [VARIANT]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rng } from "../test/support/random.ts";

const fixtures = join(import.meta.dir, "..", "test", "fixtures");

type Doc = Record<string, unknown>;

function templates(): Doc[] {
	const seed = JSON.parse(readFileSync(join(fixtures, "real-seed-358-servers.json"), "utf8")) as Doc[];
	const page = JSON.parse(readFileSync(join(fixtures, "real-api-page-30-entries.json"), "utf8")) as {
		servers: { server: Doc }[];
	};
	return [...seed, ...page.servers.map((s) => s.server)];
}

const WORDS = (
	"search fetch browser files git issues database query vector memory notes calendar mail chat " +
	"deploy cloud storage metrics logs trace secrets tickets docs wiki crm payments maps weather " +
	"translate image audio video pdf sheets slides code review test build lint format schedule"
).split(" ");

export function generateRegistry(
	entries: number,
	seed = 1,
	variant?: string,
): { servers: unknown[]; metadata: { count: number } } {
	const random = rng(seed);
	const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
	const base = templates();
	const servers: unknown[] = [];
	const start = Date.UTC(2025, 8, 1);
	let n = 0;
	while (servers.length < entries) {
		const template = pick(base);
		const [namespace, short] = String(template.name).split("/") as [string, string];
		const name = `${namespace}-${n.toString(36)}/${short}-${pick(WORDS)}`;
		n++;
		// Most names have 1-3 versions, some many (the real registry has up to dozens).
		const r = random();
		const versions = Math.min(
			entries - servers.length,
			r < 0.6 ? 1 : r < 0.9 ? 1 + Math.ceil(random() * 3) : 5 + Math.floor(random() * 20),
		);
		const major = Math.floor(random() * 3);
		for (let v = 0; v < versions; v++) {
			const version = random() < 0.97 ? `${major}.${Math.floor(v / 3)}.${v % 3}` : `2025.${v + 1}`;
			const published = new Date(start + Math.floor(random() * 80 * 86400_000) + v * 3600_000);
			const words = Array.from({ length: 4 + Math.floor(random() * 10) }, () => pick(WORDS)).join(" ");
			const text =
				typeof template.description === "string" && template.description !== ""
					? `${template.description.slice(0, 60)} ${words}`
					: `MCP server for ${words}`;
			const description = (variant ? `(${variant}) ${text}` : text).slice(0, 100);
			const server: Doc = {
				$schema: "https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json",
				...template,
				name,
				description,
				version,
			};
			if (Array.isArray(template.packages)) {
				server.packages = (template.packages as Doc[]).map((p) =>
					p.registryType === "oci" ? p : { ...p, version },
				);
			}
			const status = random() < 0.02 ? "deleted" : random() < 0.03 ? "deprecated" : "active";
			const iso = published.toISOString().replace("Z", `${Math.floor(random() * 1000)}Z`);
			servers.push({
				server,
				_meta: {
					"io.modelcontextprotocol.registry/official": {
						status,
						statusChangedAt: iso,
						publishedAt: iso,
						updatedAt: iso,
						isLatest: v === versions - 1,
					},
				},
			});
		}
	}
	return { servers, metadata: { count: servers.length } };
}

if (import.meta.main) {
	const [count, out, seed, variant] = process.argv.slice(2);
	if (!count || !out) {
		console.error("usage: bun bench/generate.ts ENTRIES OUT.json [SEED] [VARIANT]");
		process.exit(2);
	}
	const data = generateRegistry(Number(count), Number(seed ?? 1), variant);
	writeFileSync(out, JSON.stringify(data));
	console.error(`${out}: ${data.servers.length} entries`);
}
