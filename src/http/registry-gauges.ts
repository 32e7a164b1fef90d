/**
 * The registry's own gauges on /metrics: build stamps, the data served (entries, names, when
 * it was loaded and how long ago), loads and how long the last one took, the response cache,
 * and the process. The HTTP request counters are HttpMetrics' (metrics.ts).
 */
import type { BuildInfo } from "../build-info.ts";
import type { Gauge } from "../gauge.ts";
import type { Snapshot } from "../registry/snapshot.ts";
import type { CacheStats } from "./cache.ts";

export interface GaugeSources {
	/** The RegistryStore's load counts and the last successful load's duration. */
	store: { lastDurationMs: number; loads: { success: number; failure: number; timeout: number } };
	build: BuildInfo;
	/** The deployment label (MCP_REGISTRY_VERSION); "dev" when unset. */
	registryVersion?: string;
	cacheStats: CacheStats;
	/** The served data's response cache: entries, their estimated memory and its budget (bytes). */
	cache: { entries: number; bytes: number; budget: number };
	/** Process start, Unix seconds. */
	startedAt: number;
}

/** The gauges for the snapshot being served, as of `now` (ms since the epoch). */
export function registryGauges(snapshot: Snapshot, s: GaugeSources, now = Date.now()): Gauge[] {
	const { count, nameCount } = snapshot.index;
	const loadedAt = Date.parse(snapshot.provenance.loadedAt);
	return [
		{
			name: "registry_build_info",
			help: "Build stamps and the deployment label (MCP_REGISTRY_VERSION).",
			type: "gauge",
			samples: [
				[
					{
						version: s.build.version,
						git_commit: s.build.gitCommit,
						registry_version: s.registryVersion ?? "dev",
					},
					1,
				],
			],
		},
		{
			name: "registry_entries",
			help: "Entries (server versions) served.",
			type: "gauge",
			samples: [[undefined, count]],
		},
		{
			name: "registry_names",
			help: "Distinct server names served.",
			type: "gauge",
			samples: [[undefined, nameCount]],
		},
		{
			name: "registry_last_load_timestamp_seconds",
			help: "When the served data was loaded (Unix time).",
			type: "gauge",
			samples: [[undefined, loadedAt / 1000]],
		},
		{
			name: "registry_data_age_seconds",
			help: "Seconds since the served data was loaded.",
			type: "gauge",
			samples: [[undefined, Math.max(0, (now - loadedAt) / 1000)]],
		},
		{
			name: "registry_last_load_duration_seconds",
			help: "How long the last successful load took.",
			type: "gauge",
			samples: [[undefined, s.store.lastDurationMs / 1000]],
		},
		{
			name: "registry_loads_total",
			help: "Registry file loads, by result.",
			type: "counter",
			samples: [
				[{ result: "success" }, s.store.loads.success],
				[{ result: "failure" }, s.store.loads.failure],
			],
		},
		{
			name: "registry_load_timeouts_total",
			help: "Registry loads abandoned at MCP_REGISTRY_LOAD_TIMEOUT_SECONDS (also counted as failures).",
			type: "counter",
			samples: [[undefined, s.store.loads.timeout]],
		},
		{
			name: "registry_response_cache_total",
			help: "Response cache lookups, by result.",
			type: "counter",
			samples: [
				[{ result: "hit" }, s.cacheStats.hits],
				[{ result: "miss" }, s.cacheStats.misses],
			],
		},
		{
			name: "registry_response_cache_entries",
			help: "Responses kept in the cache of the data served.",
			type: "gauge",
			samples: [[undefined, s.cache.entries]],
		},
		{
			name: "registry_response_cache_bytes",
			help: "Estimated memory the kept responses take (bodies, compressed variants, keys, per-entry overhead).",
			type: "gauge",
			samples: [[undefined, s.cache.bytes]],
		},
		{
			name: "registry_response_cache_budget_bytes",
			help: "The response cache's budget, in the same estimate.",
			type: "gauge",
			samples: [[undefined, s.cache.budget]],
		},
		{
			name: "process_resident_memory_bytes",
			help: "Resident memory size.",
			type: "gauge",
			samples: [[undefined, process.memoryUsage.rss()]],
		},
		{
			name: "process_start_time_seconds",
			help: "Process start (Unix time).",
			type: "gauge",
			samples: [[undefined, s.startedAt]],
		},
	];
}
