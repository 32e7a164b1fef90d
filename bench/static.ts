/**
 * The static baseline of `make bench`: a separate Bun process answering every request, whatever
 * its path, with one response — the registry's own for the case, its status, headers and bytes —
 * from a `Blob` and a `Headers` built once at start-up. Per request it only makes
 * `new Response(blob, { status, headers })` (a null body for a 304): what any Bun server must do
 * at the least, so the registry's req/s over the baseline's is the share of the best it reaches.
 *
 *   bun bench/static.ts DIR [--reads-request]   serves DIR/response.json + DIR/body.bin, prints "port N"
 *
 * The module also captures a response as wrk receives it (a raw HTTP/1.1 request, as wrk sends
 * it) and starts and checks a baseline for it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

export interface Captured {
	status: number;
	/** In the order received, names as sent. */
	headers: [string, string][];
	body: Uint8Array;
}

/** Headers Bun.serve writes itself for every response: not part of what the baseline is given. */
const OWN = new Set(["date", "content-length"]);

function parse(buf: Buffer): Captured | undefined {
	const end = buf.indexOf("\r\n\r\n");
	if (end < 0) return undefined;
	const [statusLine = "", ...lines] = buf.subarray(0, end).toString("latin1").split("\r\n");
	const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
	if (!status) throw new Error(`not an HTTP/1.1 response: ${statusLine}`);
	const headers = lines.map((l): [string, string] => {
		const i = l.indexOf(":");
		return [l.slice(0, i), l.slice(i + 1).trim()];
	});
	const get = (name: string) => headers.find(([k]) => k.toLowerCase() === name)?.[1];
	if (get("transfer-encoding")) throw new Error("a chunked response: the bench expects a Content-Length");
	const length = status === 304 || status === 204 ? 0 : Number(get("content-length"));
	if (!Number.isFinite(length)) throw new Error("a response without Content-Length");
	if (buf.length < end + 4 + length) return undefined;
	return { status, headers, body: new Uint8Array(buf.subarray(end + 4, end + 4 + length)) };
}

/** One response, requested as wrk requests it: `GET PATH HTTP/1.1`, `Host`, the extra headers. */
export function captureResponse(
	base: string,
	path: string,
	headers: Record<string, string> = {},
): Promise<Captured> {
	const url = new URL(base);
	return new Promise((resolve, reject) => {
		let buf = Buffer.alloc(0);
		const socket = connect(Number(url.port), url.hostname);
		const timer = setTimeout(() => {
			socket.destroy();
			reject(new Error(`no whole response to ${path} in 30 s`));
		}, 30_000);
		const fail = (err: Error) => {
			clearTimeout(timer);
			socket.destroy();
			reject(err);
		};
		socket.on("connect", () => {
			const extra = Object.entries(headers)
				.map(([k, v]) => `${k}: ${v}\r\n`)
				.join("");
			socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${extra}\r\n`);
		});
		socket.on("data", (chunk: Buffer) => {
			buf = Buffer.concat([buf, chunk]);
			try {
				const r = parse(buf);
				if (r) {
					clearTimeout(timer);
					socket.destroy();
					resolve(r);
				}
			} catch (err) {
				fail(err as Error);
			}
		});
		socket.on("error", fail);
		socket.on("end", () => fail(new Error(`the connection closed before a whole response to ${path}`)));
	});
}

/** The headers that define a response for comparison: lower-case names, sorted, `date` left out. */
function comparable(r: Captured): string[] {
	return r.headers
		.filter(([k]) => k.toLowerCase() !== "date")
		.map(([k, v]) => `${k.toLowerCase()}: ${v}`)
		.sort();
}

export interface Baseline {
	base: string;
	pid: number;
	stop(): Promise<void>;
}

/**
 * Starts a baseline answering `response` (files in `dir`), and checks that it answers what the
 * registry answered: the same status, headers (but `date`) and bytes.
 */
export async function startBaseline(
	dir: string,
	response: Captured,
	request: { path: string; headers?: Record<string, string> },
	/**
	 * The floor instead: before the same answer, read what any handler that looks at its request
	 * reads (its URL, method and two headers) — the part of the gap no handler can close.
	 */
	readsRequest = false,
): Promise<Baseline> {
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, "body.bin"), response.body);
	writeFileSync(
		join(dir, "response.json"),
		JSON.stringify({
			status: response.status,
			headers: response.headers.filter(([k]) => !OWN.has(k.toLowerCase())),
		}),
	);
	const proc = Bun.spawn(
		[process.execPath, import.meta.path, dir, ...(readsRequest ? ["--reads-request"] : [])],
		{
			// Its stdin stays open: when this process ends, the baseline sees the end and exits too.
			stdin: "pipe",
			stdout: "pipe",
			stderr: "inherit",
		},
	);
	const reader = proc.stdout.getReader();
	let out = "";
	while (!/port \d+\n/.test(out)) {
		const { value, done } = await reader.read();
		if (done) throw new Error(`the static baseline exited (${await proc.exited}) before listening`);
		out += new TextDecoder().decode(value);
	}
	reader.releaseLock();
	const base = `http://127.0.0.1:${/port (\d+)/.exec(out)?.[1]}`;
	const stop = async () => {
		proc.kill();
		await proc.exited;
	};
	const got = await captureResponse(base, request.path, request.headers);
	const [want, have] = [comparable(response), comparable(got)];
	if (
		got.status !== response.status ||
		Buffer.compare(Buffer.from(got.body), Buffer.from(response.body)) !== 0 ||
		want.join("\n") !== have.join("\n")
	) {
		await stop();
		throw new Error(
			`the static baseline does not answer what the registry does:\nregistry ${response.status}\n${want.join("\n")}\nbaseline ${got.status}\n${have.join("\n")}`,
		);
	}
	return { base, pid: proc.pid, stop };
}

if (import.meta.main) {
	const dir = process.argv[2];
	if (!dir) {
		console.error("usage: bun bench/static.ts DIR");
		process.exit(2);
	}
	const meta = JSON.parse(readFileSync(join(dir, "response.json"), "utf8")) as {
		status: number;
		headers: [string, string][];
	};
	const status = meta.status;
	const headers = new Headers(meta.headers);
	const blob = new Blob([readFileSync(join(dir, "body.bin"))]);
	const body = status === 304 || status === 204 ? null : blob;
	let seen = 0;
	const server = Bun.serve({
		hostname: "127.0.0.1",
		port: 0,
		fetch: process.argv.includes("--reads-request")
			? (req) => {
					// What the registry must read of every request to know its answer.
					const h = req.headers;
					seen +=
						req.url.length +
						req.method.length +
						(h.get("if-none-match")?.length ?? 0) +
						(h.get("accept-encoding")?.length ?? 0);
					return new Response(body, { status, headers });
				}
			: () => new Response(body, { status, headers }),
	});
	process.on("exit", () => {
		if (seen < 0) console.log(seen);
	});
	process.stdout.write(`port ${server.port}\n`);
	// Ends with its parent: stdin is a pipe from it that nobody writes to.
	process.stdin.resume();
	process.stdin.on("end", () => process.exit(0));
	process.stdin.on("close", () => process.exit(0));
}
