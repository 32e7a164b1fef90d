import { describe, expect, test } from "bun:test";
import { count, HttpMetrics } from "../../src/http/metrics.ts";

describe("HttpMetrics", () => {
	test("a request is counted in one bucket and rendered cumulatively, +Inf holding every one", () => {
		const m = new HttpMetrics();
		for (const s of [0.0001, 0.0005, 0.003, 0.2, 5]) m.record("GET", "/v0.1/servers", 200, s);
		const text = m.render();
		const bucket = (le: string) =>
			Number(
				new RegExp(
					`^registry_http_request_duration_seconds_bucket\\{method="GET",route="/v0.1/servers",le="${le.replace(/[.+]/g, "\\$&")}"\\} (\\d+)$`,
					"m",
				).exec(text)?.[1],
			);
		expect([0.0005, 0.001, 0.0025, 0.005, 0.1, 0.25, 1].map((le) => bucket(String(le)))).toEqual([
			2, 2, 2, 3, 3, 4, 4,
		]);
		expect(bucket("+Inf")).toBe(5);
		expect(text).toContain('registry_http_requests_total{method="GET",route="/v0.1/servers",status="200"} 5');
	});

	test("a series kept by the caller counts into the same lines as record()", () => {
		const m = new HttpMetrics();
		const s = m.series("HEAD", "/v0/health", 304);
		expect(m.series("HEAD", "/v0/health", 304)).toBe(s);
		count(s, 0.0001);
		m.record("HEAD", "/v0/health", 304, 0.0001);
		const text = m.render();
		expect(text).toContain('registry_http_requests_total{method="HEAD",route="/v0/health",status="304"} 2');
		expect(text).toContain(
			'registry_http_request_duration_seconds_count{method="HEAD",route="/v0/health"} 2',
		);
		// Another status of the same route shares its histogram, not its counter.
		m.record("HEAD", "/v0/health", 200, 0.0001);
		expect(m.render()).toContain(
			'registry_http_request_duration_seconds_count{method="HEAD",route="/v0/health"} 3',
		);
	});
});
