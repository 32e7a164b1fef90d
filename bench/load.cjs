/**
 * One autocannon run, in its own process (Node when the machine has it, else Bun), so the load
 * generator never shares a thread with the server it measures. Reads a JSON spec from the file argv[2]:
 *   { url, connections, duration, warmup, headers?, paths?: string[] (cycled), random?: string }
 * `random` is a path template whose `{n}` is replaced by a fresh number on every request.
 * Prints one JSON line: req/s, latency percentiles (ms), counts by status class, errors.
 */
const autocannon = require("autocannon");

const spec = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));

function requests() {
	if (spec.random) {
		let n = Math.floor(Math.random() * 1e9);
		return [{ setupRequest: (req) => ({ ...req, path: spec.random.replaceAll("{n}", String(n++)) }) }];
	}
	if (spec.paths) {
		let i = 0;
		return [{ setupRequest: (req) => ({ ...req, path: spec.paths[i++ % spec.paths.length] }) }];
	}
	return undefined;
}

function run(duration) {
	return new Promise((resolve, reject) => {
		autocannon(
			{
				url: spec.url,
				connections: spec.connections,
				duration,
				headers: spec.headers,
				requests: requests(),
			},
			(err, result) => (err ? reject(err) : resolve(result)),
		);
	});
}

(async () => {
	if (spec.warmup > 0) await run(spec.warmup);
	const r = await run(spec.duration);
	process.stdout.write(
		`${JSON.stringify({
			rps: r.requests.average,
			total: r.requests.total,
			p50: r.latency.p50,
			p99: r.latency.p99,
			max: r.latency.max,
			ok: r["2xx"],
			notModified: r["3xx"],
			bad: r["4xx"] + r["5xx"],
			errors: r.errors + r.timeouts,
		})}\n`,
	);
})().catch((err) => {
	process.stderr.write(`${err.stack}\n`);
	process.exit(1);
});
