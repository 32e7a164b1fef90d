/**
 * The mirror's rounds (RegistryMirror) against real sources on loopback, with a real store: a
 * round that hangs is abandoned at its deadline, both ways of pulling (a `registry pull` process
 * of its own, or this process) give the same data, and a registry file replaced during a round
 * is never overwritten by the round's older merge.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { RegistryMirror } from "../../src/sync/mirror.ts";
import { SOURCE_CMD } from "../support/process.ts";
import { item, type Obj, server } from "../support/registry-docs.ts";
import { tempStore } from "../support/store.ts";
import { pullFilters } from "../support/upstream-registry.ts";

const dirs: string[] = [];
const servers: { stop(force?: boolean): unknown }[] = [];
afterAll(() => {
	for (const s of servers) s.stop(true);
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = "2026-01-01T00:00:00Z";

function entries(n: number, description = "A test server", updatedAt = T0): Obj[] {
	return Array.from({ length: n }, (_, i) =>
		item(server(`io.github.m/s${i}`, "1.0.0", { description }), {
			status: "active",
			publishedAt: T0,
			updatedAt,
		}),
	);
}

/** A source answering one page of `list()`, or whatever `answer` says. */
function source(
	list: () => Obj[],
	answer?: (req: Request) => Response | Promise<Response | undefined> | undefined,
) {
	const s = Bun.serve({
		hostname: "127.0.0.1",
		port: 0,
		async fetch(req) {
			return (await answer?.(req)) ?? Response.json({ servers: list(), metadata: { count: list().length } });
		},
	});
	servers.push(s);
	return `http://127.0.0.1:${s.port}`;
}

function mirrorOf(url: string, o: { command?: string[]; roundTimeoutMs?: number } = {}) {
	const t = tempStore("registry-mirror-round-", dirs, { loader: "inline" });
	const mirror = new RegistryMirror({
		store: t.store,
		source: url,
		intervalSeconds: 60,
		filters: pullFilters(),
		log: t.log,
		...o,
	});
	return { ...t, mirror, health: () => mirror.health() as Obj };
}

describe("RegistryMirror rounds", () => {
	test("a round that hangs is abandoned at its deadline; the data stays and the next round completes", async () => {
		let hang = true;
		const list = () => entries(3);
		const url = source(list, () => {
			if (!hang) return undefined;
			// Headers, then a body that never ends: a source trickling nothing.
			return new Response(new ReadableStream({ start() {} }), {
				headers: { "content-type": "application/json" },
			});
		});
		const m = mirrorOf(url, { roundTimeoutMs: 400 });
		const started = performance.now();
		await m.mirror.round();
		expect(performance.now() - started).toBeLessThan(5_000);
		expect(String(m.health().last_error)).toBe("the round did not finish within 0.4 s; abandoned");
		expect(m.health().consecutive_failures).toBe(1);
		expect(m.store.current.count).toBe(0);
		hang = false;
		await m.mirror.round();
		expect(m.health().consecutive_failures).toBe(0);
		expect(m.store.current.count).toBe(3);
	}, 15_000);

	test("a round in a process of its own gives the data a round in this process gives", async () => {
		let list = entries(40);
		const url = source(() => list);
		const child = mirrorOf(url, { command: SOURCE_CMD });
		const here = mirrorOf(url);
		await Promise.all([child.mirror.round(), here.mirror.round()]);
		expect(child.store.current.count).toBe(40);
		const texts = (m: ReturnType<typeof mirrorOf>) => {
			const { index } = m.store.current;
			return index.names.map((n, i) => `${n}@${index.versions[i]}:${index.status[i]}`);
		};
		expect(texts(child)).toEqual(texts(here));
		// A change at the source, pulled incrementally both ways.
		list = list.map((e, i) =>
			i === 7
				? item(server("io.github.m/s7", "1.0.0"), {
						status: "deprecated",
						publishedAt: T0,
						updatedAt: "2026-02-01T00:00:00Z",
					})
				: e,
		);
		await Promise.all([child.mirror.round(), here.mirror.round()]);
		for (const m of [child, here]) {
			const i = m.store.current.find("io.github.m/s7", "1.0.0", true) as number;
			expect(m.store.current.index.status[i]).toBe(1);
			expect(m.health().last_result).toMatch(/^applied: 0 added, 1 updated, 0 removed/);
		}
	}, 30_000);

	test("a registry file replaced during a round is not overwritten by the round's merge", async () => {
		let release: () => void = () => {};
		const gate = new Promise<void>((resolve) => {
			release = resolve;
		});
		let first = true;
		const url = source(
			() =>
				first ? entries(5, "from the source") : entries(5, "changed at the source", "2026-03-01T00:00:00Z"),
			async () => {
				if (first) return undefined;
				await gate;
				return undefined;
			},
		);
		const m = mirrorOf(url, { command: SOURCE_CMD });
		await m.mirror.round();
		first = false;
		expect(m.store.current.count).toBe(5);
		const round = m.mirror.round();
		// While the round's pull waits on the source: the operator puts another file in place and reloads.
		await Bun.sleep(500);
		writeFileSync(m.path, JSON.stringify({ servers: entries(2, "by hand") }));
		await m.store.reload();
		release();
		await round;
		expect(String(m.health().last_result)).toContain("changed during the round");
		expect(m.store.current.count).toBe(2);
		const onDisk = (JSON.parse(await Bun.file(m.path).text()) as { servers: Obj[] }).servers;
		expect(onDisk.map((e) => (e.server as Obj).description)).toEqual(["by hand", "by hand"]);
		// No temporary file of the abandoned merge is left beside it.
		expect(readdirSync(m.dir)).toEqual(["registry.json"]);
	}, 30_000);
});
