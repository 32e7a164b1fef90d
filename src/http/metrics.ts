/** Prometheus text exposition: request counts and latency by route and status, and registry state. */
import type { Gauge } from "../gauge.ts";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

interface Histogram {
	counts: number[];
	sum: number;
	count: number;
}

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class HttpMetrics {
	private readonly requests = new Map<string, number>();
	private readonly latency = new Map<string, Histogram>();

	record(method: string, route: string, status: number, seconds: number): void {
		const key = `method="${label(method)}",route="${label(route)}",status="${status}"`;
		this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
		const hkey = `method="${label(method)}",route="${label(route)}"`;
		let h = this.latency.get(hkey);
		if (!h) {
			h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
			this.latency.set(hkey, h);
		}
		for (let i = 0; i < BUCKETS.length; i++)
			if (seconds <= (BUCKETS[i] as number)) h.counts[i] = (h.counts[i] ?? 0) + 1;
		h.sum += seconds;
		h.count++;
	}

	render(): string {
		const out: string[] = [
			"# HELP registry_http_requests_total HTTP requests answered, by method, route template and status.",
			"# TYPE registry_http_requests_total counter",
		];
		for (const [k, v] of this.requests) out.push(`registry_http_requests_total{${k}} ${v}`);
		out.push(
			"# HELP registry_http_request_duration_seconds Time to produce a response, by method and route template.",
			"# TYPE registry_http_request_duration_seconds histogram",
		);
		for (const [k, h] of this.latency) {
			BUCKETS.forEach((b, i) => {
				out.push(`registry_http_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`);
			});
			out.push(`registry_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
			out.push(`registry_http_request_duration_seconds_sum{${k}} ${h.sum}`);
			out.push(`registry_http_request_duration_seconds_count{${k}} ${h.count}`);
		}
		return `${out.join("\n")}\n`;
	}
}

export function renderGauges(gauges: Gauge[]): string {
	const out: string[] = [];
	for (const g of gauges) {
		out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} ${g.type}`);
		for (const [labels, value] of g.samples) {
			const l = labels
				? `{${Object.entries(labels)
						.map(([k, v]) => `${k}="${label(v)}"`)
						.join(",")}}`
				: "";
			out.push(`${g.name}${l} ${value}`);
		}
	}
	return `${out.join("\n")}\n`;
}
