/** Prometheus text exposition: request counts and latency by route and status, and registry state. */
import type { Gauge } from "../gauge.ts";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** One series: the requests of one method, route and status, and their latency histogram. */
export interface Series {
	count: number;
	/** The histogram of its method and route (shared by every status). */
	latency: Histogram;
}

interface Histogram {
	counts: number[];
	sum: number;
	count: number;
}

const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class HttpMetrics {
	private readonly requests = new Map<string, Series>();
	private readonly latency = new Map<string, Histogram>();

	/** method → route → status → series: found again without building a string. */
	private readonly known = new Map<string, Map<string, Map<number, Series>>>();

	/** The series of a method, route template and status, made on first use; keep it to count fast. */
	series(method: string, route: string, status: number): Series {
		let byRoute = this.known.get(method);
		if (!byRoute) {
			byRoute = new Map();
			this.known.set(method, byRoute);
		}
		let byStatus = byRoute.get(route);
		if (!byStatus) {
			byStatus = new Map();
			byRoute.set(route, byStatus);
		}
		let s = byStatus.get(status);
		if (!s) {
			s = this.make(method, route, status);
			byStatus.set(status, s);
		}
		return s;
	}

	private make(method: string, route: string, status: number): Series {
		const key = `method="${label(method)}",route="${label(route)}",status="${status}"`;
		let s = this.requests.get(key);
		if (!s) {
			const hkey = `method="${label(method)}",route="${label(route)}"`;
			let h = this.latency.get(hkey);
			if (!h) {
				h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
				this.latency.set(hkey, h);
			}
			s = { count: 0, latency: h };
			this.requests.set(key, s);
		}
		return s;
	}

	record(method: string, route: string, status: number, seconds: number): void {
		count(this.series(method, route, status), seconds);
	}

	render(): string {
		const out: string[] = [
			"# HELP registry_http_requests_total HTTP requests answered, by method, route template and status.",
			"# TYPE registry_http_requests_total counter",
		];
		for (const [k, v] of this.requests) out.push(`registry_http_requests_total{${k}} ${v.count}`);
		out.push(
			"# HELP registry_http_request_duration_seconds Time to produce a response, by method and route template.",
			"# TYPE registry_http_request_duration_seconds histogram",
		);
		for (const [k, h] of this.latency) {
			let cumulative = 0;
			BUCKETS.forEach((b, i) => {
				cumulative += h.counts[i] as number;
				out.push(`registry_http_request_duration_seconds_bucket{${k},le="${b}"} ${cumulative}`);
			});
			out.push(`registry_http_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
			out.push(`registry_http_request_duration_seconds_sum{${k}} ${h.sum}`);
			out.push(`registry_http_request_duration_seconds_count{${k}} ${h.count}`);
		}
		return `${out.join("\n")}\n`;
	}
}

/** One request of `s` that took `seconds`: a counter bump and one histogram bucket. */
export function count(s: Series, seconds: number): void {
	s.count++;
	const h = s.latency;
	h.sum += seconds;
	h.count++;
	// Counted in the first bucket that holds the value (made cumulative when rendered).
	let i = 0;
	while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
	if (i < BUCKETS.length) h.counts[i] = (h.counts[i] as number) + 1;
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
