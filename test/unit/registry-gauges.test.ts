import { describe, expect, test } from "bun:test";
import type { Gauge } from "../../src/gauge.ts";
import { renderGauges } from "../../src/http/metrics.ts";
import { type GaugeSources, registryGauges } from "../../src/http/registry-gauges.ts";
import { Snapshot } from "../../src/registry/snapshot.ts";
import { entry, registryDoc, snapshotData } from "../support/api-server.ts";

const snapshot = new Snapshot(
	snapshotData(
		registryDoc([
			entry("io.github.user/weather", "1.0.0"),
			entry("io.github.user/weather", "1.1.0"),
			entry("com.example/other", "2.0.0"),
		]),
	),
);

const sources = (over: Partial<GaugeSources> = {}): GaugeSources => ({
	store: { lastDurationMs: 1500, loads: { success: 4, failure: 1, timeout: 1 } },
	build: { version: "1.2.3", gitCommit: "abc", buildTime: "2026-01-01T00:00:00Z" },
	registryVersion: "prod-7",
	cacheStats: { hits: 9, misses: 2 },
	cache: { entries: 3, bytes: 4096, budget: 8192 },
	startedAt: 1_700_000_000,
	...over,
});

const byName = (gauges: Gauge[]) => new Map(gauges.map((g) => [g.name, g]));
const one = (gauges: Gauge[], name: string) => byName(gauges).get(name)?.samples[0]?.[1];

describe("registryGauges", () => {
	test("the gauges, in order, with their types", () => {
		expect(registryGauges(snapshot, sources()).map((g) => [g.name, g.type])).toEqual([
			["registry_build_info", "gauge"],
			["registry_entries", "gauge"],
			["registry_names", "gauge"],
			["registry_last_load_timestamp_seconds", "gauge"],
			["registry_data_age_seconds", "gauge"],
			["registry_last_load_duration_seconds", "gauge"],
			["registry_loads_total", "counter"],
			["registry_load_timeouts_total", "counter"],
			["registry_response_cache_total", "counter"],
			["registry_response_cache_entries", "gauge"],
			["registry_response_cache_bytes", "gauge"],
			["registry_response_cache_budget_bytes", "gauge"],
			["process_resident_memory_bytes", "gauge"],
			["process_start_time_seconds", "gauge"],
		]);
	});

	test("the data served: entries, names, when loaded and how long ago", () => {
		const g = registryGauges(snapshot, sources());
		expect(one(g, "registry_entries")).toBe(3);
		expect(one(g, "registry_names")).toBe(2);
		const loaded = one(g, "registry_last_load_timestamp_seconds") as number;
		expect(Math.abs(loaded - Date.now() / 1000)).toBeLessThan(600);
		const later = registryGauges(snapshot, sources(), loaded * 1000 + 90_500);
		expect(one(later, "registry_data_age_seconds")).toBeCloseTo(90.5, 6);
		// A clock behind the load time gives 0, never a negative age.
		expect(one(registryGauges(snapshot, sources(), loaded * 1000 - 5000), "registry_data_age_seconds")).toBe(
			0,
		);
	});

	test("build stamps and the deployment label; 'dev' when unset", () => {
		expect(byName(registryGauges(snapshot, sources())).get("registry_build_info")?.samples).toEqual([
			[{ version: "1.2.3", git_commit: "abc", registry_version: "prod-7" }, 1],
		]);
		const dev = registryGauges(snapshot, sources({ registryVersion: undefined }));
		expect(byName(dev).get("registry_build_info")?.samples[0]?.[0]?.registry_version).toBe("dev");
	});

	test("loads, the last load's duration, the response cache, the process", () => {
		const g = byName(registryGauges(snapshot, sources()));
		expect(g.get("registry_last_load_duration_seconds")?.samples).toEqual([[undefined, 1.5]]);
		expect(g.get("registry_loads_total")?.samples).toEqual([
			[{ result: "success" }, 4],
			[{ result: "failure" }, 1],
		]);
		expect(g.get("registry_load_timeouts_total")?.samples).toEqual([[undefined, 1]]);
		expect(g.get("registry_response_cache_total")?.samples).toEqual([
			[{ result: "hit" }, 9],
			[{ result: "miss" }, 2],
		]);
		expect(g.get("registry_response_cache_entries")?.samples).toEqual([[undefined, 3]]);
		expect(g.get("registry_response_cache_bytes")?.samples).toEqual([[undefined, 4096]]);
		expect(g.get("registry_response_cache_budget_bytes")?.samples).toEqual([[undefined, 8192]]);
		expect(g.get("process_resident_memory_bytes")?.samples[0]?.[1]).toBeGreaterThan(0);
		expect(g.get("process_start_time_seconds")?.samples).toEqual([[undefined, 1_700_000_000]]);
	});

	test("rendered as Prometheus text", () => {
		const text = renderGauges(registryGauges(snapshot, sources()));
		expect(text).toContain("# TYPE registry_loads_total counter\n");
		expect(text).toContain('registry_loads_total{result="success"} 4\n');
		expect(text).toContain(
			'registry_build_info{version="1.2.3",git_commit="abc",registry_version="prod-7"} 1\n',
		);
		expect(text).toMatch(/^registry_entries 3$/m);
	});
});
