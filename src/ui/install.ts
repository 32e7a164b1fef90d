/**
 * Install configuration as data: how to start a server (a command line, or a URL with headers)
 * is built once from its package or remote — `registryType`, `identifier`, `version`,
 * `runtimeHint`, runtime and package arguments, environment variables, transport, headers and
 * URL variables — with the inputs the user must supply kept as inputs, not text. Each client's
 * configuration is then rendered from that one description:
 *
 * - VS Code: the `mcp.json` entry (`servers` and `inputs`, an input `${input:ID}` prompted for,
 *   secrets as passwords) and the `vscode:mcp/install?{json}` link;
 * - Claude Code: `claude mcp add …`, a POSIX shell command;
 * - Claude Desktop and Cursor: the `mcpServers` JSON (remote servers reach Claude Desktop
 *   through `mcp-remote`).
 *
 * Outside VS Code an input becomes a placeholder `<ID>`, or its default when it has one and is
 * no secret. The command per registry type follows VS Code's own gallery: npm `npx -y
 * id@version`, PyPI `uvx id==version`, OCI `docker run -i --rm [-e NAME]… image[:version]`, NuGet
 * `dnx id@version --yes [--] …`; a `runtimeHint` names another runtime.
 */
import type { Argument, Input, KeyValue, Package, Remote, ServerDoc } from "./server-json.ts";

/** A value as it will be configured: literal text and inputs, in order. */
export type Template = (string | { input: string })[];

export type InputKind = "environment variable" | "argument" | "header" | "URL variable";

/** Something the user supplies: prompted for by VS Code, a placeholder elsewhere. */
export interface InputSpec {
	id: string;
	kind: InputKind;
	/** The variable, header or flag it fills (for the table of inputs). */
	target: string;
	description: string;
	required: boolean;
	secret: boolean;
	default?: string;
	choices?: string[];
}

export interface Command {
	command: string;
	args: Template[];
	env: [name: string, value: Template][];
}

export type Launch =
	| ({ kind: "stdio" } & Command)
	| {
			kind: "http";
			transport: "streamable-http" | "sse";
			url: Template;
			headers: [name: string, value: Template][];
			/** A package that serves HTTP locally: the command that starts it. */
			start?: Command;
	  };

export interface InstallOption {
	/** Unique in the page: `package-0`, `remote-1`. */
	id: string;
	/** "npm package", "Remote (Streamable HTTP)". */
	label: string;
	/** What is installed: the package spec or the URL. */
	target: string;
	transport: string;
	/** How to start it; undefined when no client configuration can be built (see `note`). */
	launch?: Launch;
	inputs: InputSpec[];
	/** Why there is no configuration, or what to do instead. */
	note?: string;
	/** An MCP bundle's download URL. */
	download?: string;
}

/** The runners that fetch and start a package by its spec, per registry type; the first is the default. */
export const RUNNERS: Record<string, string[]> = {
	npm: ["npx", "bunx", "pnpx"],
	pypi: ["uvx", "pipx"],
	oci: ["docker", "podman"],
	nuget: ["dnx"],
};

/** The key a server is configured under: the last part of its name, as clients accept it. */
export function serverKey(name: string): string {
	const short = name.slice(name.indexOf("/") + 1);
	const key = short
		.replace(/[^A-Za-z0-9_-]+/g, "-")
		.replace(/^-+|-+$/g, "")
		.slice(0, 64);
	return key || "server";
}

/** An input's id as VS Code reads `${input:ID}`: letters, digits, `_`, `.`, `-`. */
function inputId(raw: string, fallback: string): string {
	const id = raw
		.replace(/^-+/, "")
		.replace(/[^A-Za-z0-9_.-]+/g, "_")
		.replace(/^_+|_+$/g, "");
	return id || fallback;
}

class Inputs {
	readonly list: InputSpec[] = [];
	private readonly ids = new Set<string>();

	add(spec: InputSpec): string {
		if (!this.ids.has(spec.id)) {
			this.ids.add(spec.id);
			this.list.push(spec);
		}
		return spec.id;
	}
}

function spec(id: string, kind: InputKind, target: string, input: Input): InputSpec {
	const s: InputSpec = {
		id,
		kind,
		target,
		description: input.description ?? "",
		required: input.isRequired === true,
		secret: input.isSecret === true,
	};
	if (input.default !== undefined) s.default = input.default;
	if (input.choices) s.choices = input.choices;
	return s;
}

/** `value` with each `{name}` that `variables` declares as an input; other braces stay as written. */
function templated(
	value: string,
	variables: Record<string, Input> | undefined,
	inputs: Inputs,
	kind: InputKind,
	target: string,
): Template {
	if (!variables) return [value];
	const out: Template = [];
	let last = 0;
	for (const m of value.matchAll(/\{([^{}]+)\}/g)) {
		const name = m[1] as string;
		const variable = variables[name];
		if (!variable) continue;
		if (m.index > last) out.push(value.slice(last, m.index));
		out.push({ input: inputs.add(spec(inputId(name, "value"), kind, target, variable)) });
		last = m.index + m[0].length;
	}
	if (last < value.length) out.push(value.slice(last));
	return out;
}

/**
 * What an input configures: its value (with variables), or an input for the user to supply. A
 * value written for VS Code (`${input:ID}`, real data has some) is that input too: as it stands
 * it would reach every other client as text, and VS Code without its declaration.
 */
function configured(input: Input, id: string, kind: InputKind, target: string, inputs: Inputs): Template {
	if (input.value === undefined) return [{ input: inputs.add(spec(id, kind, target, input)) }];
	const out: Template = [];
	let last = 0;
	for (const m of input.value.matchAll(/\$\{input:([^{}]+)\}/g)) {
		if (m.index > last)
			out.push(...templated(input.value.slice(last, m.index), input.variables, inputs, kind, target));
		// The default is the same text (so it is in the real entries): not a value of the input.
		out.push({
			input: inputs.add(spec(inputId(m[1] as string, id), kind, target, { ...input, default: undefined })),
		});
		last = m.index + m[0].length;
	}
	if (last === 0) return templated(input.value, input.variables, inputs, kind, target);
	if (last < input.value.length)
		out.push(...templated(input.value.slice(last), input.variables, inputs, kind, target));
	return out;
}

function argumentsOf(args: Argument[], inputs: Inputs, prefix: string): Template[] {
	const out: Template[] = [];
	args.forEach((a, k) => {
		if (a.type === "positional") {
			const hint = a.valueHint ?? `${prefix}${k + 1}`;
			out.push(configured(a, inputId(hint, `${prefix}${k + 1}`), "argument", hint, inputs));
			return;
		}
		const name = a.name as string;
		out.push([name]);
		// A named argument with a value, or one that takes one (a default or a hint says so);
		// otherwise it is a flag on its own.
		if (a.value !== undefined || a.default !== undefined || a.valueHint !== undefined || a.isRequired) {
			out.push(configured(a, inputId(name, `${prefix}${k + 1}`), "argument", name, inputs));
		}
	});
	return out;
}

function keyValues(items: KeyValue[], kind: InputKind, inputs: Inputs): [string, Template][] {
	return items.map((kv) => [
		kv.name,
		configured(kv, inputId(kv.name, kind === "header" ? "header" : "env"), kind, kv.name, inputs),
	]);
}

/** An OCI reference that already names its tag or digest. */
const hasTag = (image: string): boolean => image.includes("@") || /:[^/]+$/.test(image);

/** The package spec as its runtime takes it: `id@version`, `id==version`, `image:version`. */
export function packageSpec(p: Package): string {
	if (p.version === undefined) return p.identifier;
	switch (p.registryType) {
		case "pypi":
			return `${p.identifier}==${p.version}`;
		case "oci":
			return hasTag(p.identifier) ? p.identifier : `${p.identifier}:${p.version}`;
		default:
			return `${p.identifier}@${p.version}`;
	}
}

/**
 * The command that runs a package: its runtimeHint when that is a runner of its registry type,
 * else the type's usual runner (a hint such as `python` or `node` names a runtime that cannot
 * fetch a package by its name; VS Code's gallery uses the usual runner too).
 */
export function runnerOf(p: Package): string | undefined {
	const runners = RUNNERS[p.registryType];
	if (!runners) return undefined;
	return p.runtimeHint !== undefined && runners.includes(p.runtimeHint) ? p.runtimeHint : runners[0];
}

function packageCommand(p: Package, inputs: Inputs): Command | undefined {
	const command = runnerOf(p);
	if (!command) return undefined;
	const args: Template[] = [];
	const env = keyValues(p.environmentVariables, "environment variable", inputs);
	const runtime = argumentsOf(p.runtimeArguments, inputs, "runtime_arg");
	const packageArgs = argumentsOf(p.packageArguments, inputs, "arg");
	const spec = packageSpec(p);
	if (p.registryType === "npm" && command === "npx") args.push(["-y"]);
	if (p.registryType === "pypi" && command === "pipx") args.push(["run"]);
	if (p.registryType === "oci" && (command === "docker" || command === "podman")) {
		// The runtime arguments are `docker run`'s; each variable is passed into the container.
		args.push(["run"], ["-i"], ["--rm"], ...runtime);
		for (const [name] of env) args.push(["-e"], [name]);
		args.push([spec], ...packageArgs);
		return { command, args, env };
	}
	args.push(...runtime, [spec]);
	if (p.registryType === "nuget" && command === "dnx") {
		args.push(["--yes"]);
		if (packageArgs.length > 0) args.push(["--"]);
	}
	args.push(...packageArgs);
	return { command, args, env };
}

/** The value a `{name}` of a package's transport URL refers to: an argument or variable of the package. */
function packageVariable(p: Package, name: string, inputs: Inputs): Template | undefined {
	for (const a of [...p.runtimeArguments, ...p.packageArguments]) {
		const id = a.type === "positional" ? a.valueHint : a.name?.replace(/^-+/, "");
		if (id === name)
			return a.value !== undefined || a.default === undefined
				? configured(a, inputId(name, "value"), "argument", a.name ?? name, inputs)
				: [a.default];
	}
	const env = p.environmentVariables.find((e) => e.name === name);
	if (env)
		return env.value !== undefined || env.default === undefined
			? configured(env, inputId(name, "value"), "environment variable", name, inputs)
			: [env.default];
	return undefined;
}

function packageUrl(p: Package, url: string, inputs: Inputs): Template {
	const out: Template = [];
	let last = 0;
	for (const m of url.matchAll(/\{([^{}]+)\}/g)) {
		const value = packageVariable(p, m[1] as string, inputs);
		if (!value) continue;
		if (m.index > last) out.push(url.slice(last, m.index));
		out.push(...value);
		last = m.index + m[0].length;
	}
	if (last < url.length) out.push(url.slice(last));
	return out;
}

const REGISTRY_LABELS: Record<string, string> = {
	npm: "npm package",
	pypi: "PyPI package",
	oci: "OCI image",
	nuget: "NuGet package",
	mcpb: "MCP bundle",
};

const TRANSPORT_LABELS: Record<string, string> = {
	stdio: "stdio",
	"streamable-http": "Streamable HTTP",
	sse: "SSE",
};

export const transportLabel = (t: string): string => TRANSPORT_LABELS[t] ?? t;

function packageOption(p: Package, k: number): InstallOption {
	const inputs = new Inputs();
	const option: InstallOption = {
		id: `package-${k}`,
		label: REGISTRY_LABELS[p.registryType] ?? `${p.registryType} package`,
		target: packageSpec(p),
		transport: p.transport.type,
		inputs: inputs.list,
	};
	if (p.registryType === "mcpb") {
		option.note =
			"An MCP bundle is installed by opening the .mcpb file with Claude Desktop (or another client that supports bundles).";
		if (/^https?:\/\//i.test(p.identifier)) option.download = p.identifier;
		return option;
	}
	const command = packageCommand(p, inputs);
	if (!command) {
		option.note = `No client here runs ${p.registryType} packages: start it as its documentation says.`;
		return option;
	}
	if (p.runtimeHint !== undefined && p.runtimeHint !== command.command) {
		option.note = `Its runtime hint, ${p.runtimeHint}, does not fetch ${p.registryType} packages by name: ${command.command} runs it here.`;
	}
	const t = p.transport;
	if ((t.type === "streamable-http" || t.type === "sse") && t.url) {
		option.launch = {
			kind: "http",
			transport: t.type,
			url: packageUrl(p, t.url, inputs),
			headers: keyValues(t.headers, "header", inputs),
			start: command,
		};
	} else if (t.type === "stdio") {
		option.launch = { kind: "stdio", ...command };
	} else {
		option.note = `The ${t.type} transport is not one the clients here configure.`;
	}
	return option;
}

function remoteOption(r: Remote, k: number): InstallOption {
	const inputs = new Inputs();
	const option: InstallOption = {
		id: `remote-${k}`,
		label: `Remote (${transportLabel(r.type)})`,
		target: r.url,
		transport: r.type,
		inputs: inputs.list,
	};
	if (r.type !== "streamable-http" && r.type !== "sse") {
		option.note = `The ${r.type} transport is not one the clients here configure.`;
		return option;
	}
	option.launch = {
		kind: "http",
		transport: r.type,
		url: templated(r.url, r.variables, inputs, "URL variable", "URL"),
		headers: keyValues(r.headers, "header", inputs),
	};
	return option;
}

/** Every way to install a server: one option per package, then one per remote. */
export function installOptions(server: ServerDoc): InstallOption[] {
	return [...server.packages.map(packageOption), ...server.remotes.map(remoteOption)];
}

// --- Rendering per client --------------------------------------------------------------------

type Fill = (input: InputSpec) => string;

function render(t: Template, fill: Fill, inputs: InputSpec[]): string {
	return t
		.map((p) => {
			if (typeof p === "string") return p;
			const spec = inputs.find((i) => i.id === p.input) as InputSpec;
			return fill(spec);
		})
		.join("");
}

const vscodeFill: Fill = (i) => `\${input:${i.id}}`;

/** Outside VS Code: the default of an input that is no secret, else a placeholder `<ID>`. */
export const placeholderFill: Fill = (i) => (i.default !== undefined && !i.secret ? i.default : `<${i.id}>`);

type Json = Record<string, unknown>;

function commandJson(c: Command, fill: Fill, inputs: InputSpec[]): Json {
	const out: Json = { command: c.command };
	if (c.args.length > 0) out.args = c.args.map((a) => render(a, fill, inputs));
	if (c.env.length > 0) out.env = Object.fromEntries(c.env.map(([k, v]) => [k, render(v, fill, inputs)]));
	return out;
}

function headersJson(headers: [string, Template][], fill: Fill, inputs: InputSpec[]): Json | undefined {
	if (headers.length === 0) return undefined;
	return Object.fromEntries(headers.map(([k, v]) => [k, render(v, fill, inputs)]));
}

/** The server's entry in VS Code's `mcp.json` (`servers.KEY`). */
export function vscodeServer(o: InstallOption): Json | undefined {
	const l = o.launch;
	if (!l) return undefined;
	if (l.kind === "stdio") return { type: "stdio", ...commandJson(l, vscodeFill, o.inputs) };
	const headers = headersJson(l.headers, vscodeFill, o.inputs);
	return {
		type: l.transport === "sse" ? "sse" : "http",
		url: render(l.url, vscodeFill, o.inputs),
		...(headers ? { headers } : {}),
	};
}

/** VS Code's `inputs`: a prompt per input its entry refers to (a password for a secret), a pick for choices. */
export function vscodeInputs(o: InstallOption): Json[] {
	const used = JSON.stringify(vscodeServer(o) ?? {});
	return o.inputs
		.filter((i) => used.includes(`\${input:${i.id}}`))
		.map((i) => {
			const base: Json = { id: i.id, description: i.description || `${i.target} (${i.kind})` };
			if (i.choices)
				return {
					type: "pickString",
					...base,
					options: i.choices,
					...(i.default !== undefined ? { default: i.default } : {}),
				};
			return {
				type: "promptString",
				...base,
				...(i.secret ? { password: true } : {}),
				...(i.default !== undefined ? { default: i.default } : {}),
			};
		});
}

/** `.vscode/mcp.json` (or the user `mcp.json`) with this server and its inputs. */
export function vscodeFile(key: string, o: InstallOption): string | undefined {
	const server = vscodeServer(o);
	if (!server) return undefined;
	const inputs = vscodeInputs(o);
	return JSON.stringify({ ...(inputs.length > 0 ? { inputs } : {}), servers: { [key]: server } }, null, 2);
}

/** `vscode:mcp/install?{json}`: VS Code asks to add the server, then prompts for the inputs. */
export function vscodeLink(key: string, o: InstallOption): string | undefined {
	const server = vscodeServer(o);
	if (!server) return undefined;
	const inputs = vscodeInputs(o);
	return `vscode:mcp/install?${encodeURIComponent(JSON.stringify({ name: key, ...server, ...(inputs.length > 0 ? { inputs } : {}) }))}`;
}

/** One word for a POSIX shell: as it is when it is plain, else in single quotes. */
export function shellQuote(word: string): string {
	if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
	// A control character (a newline, ^C, ESC) pasted into a terminal can end the line or the
	// command early: such a word is written with visible escapes, as $'…' (bash, zsh, ksh).
	// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
	if (/[\u0000-\u001f\u007f]/.test(word)) {
		// biome-ignore lint/suspicious/noControlCharactersInRegex: the same characters, escaped
		const escaped = word.replace(/[\\'\u0000-\u001f\u007f]/g, (c) =>
			c === "\\" || c === "'" ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
		);
		return `$'${escaped}'`;
	}
	return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A name a shell accepts in `NAME=value cmd` (anything else would be read as a command). */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The words of `claude mcp add …` (before quoting). */
export function claudeCodeArgv(key: string, o: InstallOption): string[] | undefined {
	const l = o.launch;
	if (!l) return undefined;
	const fill = (t: Template) => render(t, placeholderFill, o.inputs);
	// The name goes before --env and --header: they take several values each, and would take
	// a name that follows them for one more (anthropics/claude-code#23365).
	if (l.kind === "stdio") {
		const argv = ["claude", "mcp", "add", "--transport", "stdio", key];
		for (const [k, v] of l.env) argv.push("--env", `${k}=${fill(v)}`);
		argv.push("--", l.command, ...l.args.map(fill));
		return argv;
	}
	const argv = [
		"claude",
		"mcp",
		"add",
		"--transport",
		l.transport === "sse" ? "sse" : "http",
		key,
		fill(l.url),
	];
	for (const [k, v] of l.headers) argv.push("--header", `${k}: ${fill(v)}`);
	return argv;
}

/** `claude mcp add …`, ready for a shell. */
export function claudeCodeCommand(key: string, o: InstallOption): string | undefined {
	return claudeCodeArgv(key, o)?.map(shellQuote).join(" ");
}

/** The command that starts a package serving HTTP itself, for a shell (with its variables). */
export function startCommand(o: InstallOption): string | undefined {
	const l = o.launch;
	if (l?.kind !== "http" || !l.start) return undefined;
	const fill = (t: Template) => render(t, placeholderFill, o.inputs);
	// A name that is no shell name is passed through env(1) as one quoted word, never as code.
	const names = l.start.env.every(([k]) => SHELL_NAME.test(k));
	const env = l.start.env.map(([k, v]) =>
		names ? `${k}=${shellQuote(fill(v))}` : shellQuote(`${k}=${fill(v)}`),
	);
	const prefix = names || env.length === 0 ? env : ["env", ...env];
	return [...prefix, shellQuote(l.start.command), ...l.start.args.map((a) => shellQuote(fill(a)))].join(" ");
}

/** An environment variable name for a header (mcp-remote reads `${NAME}` in its `--header`). */
const headerVariable = (name: string): string =>
	`${
		name
			.toUpperCase()
			.replace(/[^A-Z0-9]+/g, "_")
			.replace(/^_+|_+$/g, "") || "HEADER"
	}`;

/** The server's entry in `mcpServers`, as Claude Desktop (`claude`) or Cursor (`cursor`) reads it. */
export function mcpServersEntry(o: InstallOption, client: "claude" | "cursor"): Json | undefined {
	const l = o.launch;
	if (!l) return undefined;
	if (l.kind === "stdio") return commandJson(l, placeholderFill, o.inputs);
	const url = render(l.url, placeholderFill, o.inputs);
	if (client === "cursor") {
		const headers = headersJson(l.headers, placeholderFill, o.inputs);
		return { url, ...(headers ? { headers } : {}) };
	}
	// Claude Desktop's file starts local servers only: mcp-remote bridges to the URL.
	const args = ["-y", "mcp-remote", url];
	if (l.transport === "sse") args.push("--transport", "sse-only");
	const env: Record<string, string> = {};
	for (const [k, v] of l.headers) {
		const variable = headerVariable(k);
		args.push("--header", `${k}:\${${variable}}`);
		env[variable] = render(v, placeholderFill, o.inputs);
	}
	return { command: "npx", args, ...(l.headers.length > 0 ? { env } : {}) };
}

/** `{"mcpServers": {KEY: …}}`: claude_desktop_config.json or Cursor's mcp.json. */
export function mcpServersFile(
	key: string,
	o: InstallOption,
	client: "claude" | "cursor",
): string | undefined {
	const entry = mcpServersEntry(o, client);
	return entry ? JSON.stringify({ mcpServers: { [key]: entry } }, null, 2) : undefined;
}
