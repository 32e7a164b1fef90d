/**
 * A metric sample set as the /metrics endpoint renders it. Here, outside src/http/, so that
 * any part (the sync listener, the HTTP app) can report gauges without depending on the other.
 */
export interface Gauge {
	name: string;
	help: string;
	type: "gauge" | "counter";
	samples: [labels: Record<string, string> | undefined, value: number][];
}
