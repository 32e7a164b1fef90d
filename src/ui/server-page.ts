/**
 * A server's page (`/servers/{name}`, one version at `/servers/{name}/versions/{version}`): its
 * title, name, description, status with its message, links, every way to install it with the
 * configuration for each client, what each package or remote takes (arguments, environment
 * variables, headers; required ones and secrets marked), and its versions.
 */
import type { Snapshot } from "../registry/snapshot.ts";
import { type IconPolicy, iconOf, shortName, statusBadge } from "./browse.ts";
import { apiPath, dateTag, esc, externalLink, safeHttpUrl, serverPath } from "./html.ts";
import {
	claudeCodeCommand,
	type InputSpec,
	type InstallOption,
	installOptions,
	mcpServersFile,
	placeholderFill,
	serverKey,
	startCommand,
	transportLabel,
	vscodeFile,
	vscodeLink,
} from "./install.ts";
import { type Chrome, page } from "./layout.ts";
import {
	type Argument,
	type Entry,
	type Input,
	type KeyValue,
	readEntry,
	type ServerDoc,
} from "./server-json.ts";

function codeBlock(id: string, text: string, label: string): string {
	return `<div class="code">
<pre id="${esc(id)}" tabindex="0"><code>${esc(text)}</code></pre>
<button type="button" class="copy" data-copy="${esc(id)}" hidden>Copy<span class="sr-only"> ${esc(label)}</span></button>
</div>`;
}

function panel(optionId: string, client: string, title: string, body: string): string {
	return `<section class="panel" id="${esc(`${optionId}-${client}`)}" data-client="${esc(client)}">
<h4 class="panel-title">${esc(title)}</h4>
${body}
</section>`;
}

function clientPanels(key: string, o: InstallOption): string {
	const vscode = vscodeFile(key, o);
	const link = vscodeLink(key, o);
	const claude = claudeCodeCommand(key, o);
	const desktop = mcpServersFile(key, o, "claude");
	const cursor = mcpServersFile(key, o, "cursor");
	if (!vscode || !link || !claude || !desktop || !cursor) return "";
	const id = o.id;
	const remoteNote =
		o.launch?.kind === "http"
			? `<p class="hint">Claude Desktop reads local servers from this file; <code>mcp-remote</code> connects it to the URL. A remote server can also be added under Settings → Connectors.</p>`
			: "";
	return `<div class="tabs" data-tabs>
${panel(
	id,
	"vscode",
	"VS Code",
	`<p><a class="btn btn-primary vscode-link" href="${esc(link)}">Install in VS Code</a></p>
<p class="hint">Or add it to <code>.vscode/mcp.json</code> in a workspace (or to your user <code>mcp.json</code>):</p>
${codeBlock(`${id}-vscode-json`, vscode, "VS Code configuration")}`,
)}
${panel(id, "claude-code", "Claude Code", `<p class="hint">Run in a terminal:</p>\n${codeBlock(`${id}-claude-code-cmd`, claude, "Claude Code command")}`)}
${panel(
	id,
	"claude-desktop",
	"Claude Desktop",
	`<p class="hint">Add to <code>claude_desktop_config.json</code> (Settings → Developer → Edit Config), then restart Claude:</p>
${codeBlock(`${id}-claude-desktop-json`, desktop, "Claude Desktop configuration")}${remoteNote}`,
)}
${panel(
	id,
	"cursor",
	"Cursor",
	`<p class="hint">Add to <code>~/.cursor/mcp.json</code> (or <code>.cursor/mcp.json</code> in a project):</p>
${codeBlock(`${id}-cursor-json`, cursor, "Cursor configuration")}`,
)}
</div>`;
}

const KIND_LABELS: Record<string, string> = {
	"environment variable": "Environment",
	argument: "Argument",
	header: "Header",
	"URL variable": "URL variable",
};

function marks(input: { isRequired?: boolean; isSecret?: boolean }): string {
	const out: string[] = [];
	if (input.isRequired) out.push(`<span class="tag tag-req">required</span>`);
	if (input.isSecret) out.push(`<span class="tag tag-secret">secret</span>`);
	return out.join("");
}

interface Row {
	kind: string;
	name: string;
	input: Input;
}

/** What a value shows: the fixed value, else the default, else that the user supplies it. */
function valueCell(input: Input): string {
	if (input.value !== undefined) return `<code>${esc(input.value)}</code>`;
	if (input.default !== undefined)
		return `<span class="muted">default</span> <code>${esc(input.default)}</code>`;
	if (input.choices)
		return `<span class="muted">one of</span> ${input.choices.map((c) => `<code>${esc(c)}</code>`).join(" ")}`;
	return `<span class="muted">you supply it</span>`;
}

function rowsOf(kind: string, args: Argument[]): Row[] {
	return args.map((a) => ({
		kind,
		name: a.type === "named" ? (a.name as string) : (a.valueHint ?? "(positional)"),
		input: a,
	}));
}

function keyRows(kind: string, items: KeyValue[]): Row[] {
	return items.map((kv) => ({ kind, name: kv.name, input: kv }));
}

function variableRows(variables: Record<string, Input> | undefined): Row[] {
	return Object.entries(variables ?? {}).map(([name, input]) => ({
		kind: "URL variable",
		name: `{${name}}`,
		input,
	}));
}

function configTable(rows: Row[], caption: string): string {
	if (rows.length === 0) return "";
	const body = rows
		.map(
			(r) =>
				`<tr><td>${esc(r.kind)}</td><th scope="row"><code>${esc(r.name)}</code></th><td>${valueCell(r.input)}</td><td>${marks(r.input)}</td><td>${esc(r.input.description ?? "")}</td></tr>`,
		)
		.join("\n");
	return `<div class="table-wrap" tabindex="0" role="region" aria-label="${esc(caption)}"><table class="config">
<caption class="sr-only">${esc(caption)}</caption>
<thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Marks</span></th><th scope="col">Description</th></tr></thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

/** The values the user supplies: VS Code prompts for them, the other snippets hold `<ID>`. */
function inputsNote(inputs: InputSpec[]): string {
	if (inputs.length === 0) return "";
	const items = inputs
		.map((i) => {
			const fill = placeholderFill(i);
			const where =
				i.target !== i.id
					? ` <span class="muted">(${esc(KIND_LABELS[i.kind] ?? i.kind)} ${esc(i.target)})</span>`
					: "";
			const def = fill !== `<${i.id}>` ? ` <span class="muted">default <code>${esc(fill)}</code></span>` : "";
			return `<code>${esc(i.id)}</code>${where}${marks({ isRequired: i.required, isSecret: i.secret })}${def}`;
		})
		.join(", ");
	return `<div class="inputs"><p>You supply ${items}. VS Code asks for ${inputs.length === 1 ? "it" : "them"}; in the other snippets, replace each <code>&lt;ID&gt;</code>.</p></div>`;
}

function optionArticle(server: ServerDoc, o: InstallOption, k: number): string {
	const key = serverKey(server.name);
	const p = o.id.startsWith("package-") ? server.packages[Number(o.id.slice(8))] : undefined;
	const r = o.id.startsWith("remote-") ? server.remotes[Number(o.id.slice(7))] : undefined;
	const rows: Row[] = p
		? [
				...rowsOf("Runtime argument", p.runtimeArguments),
				...rowsOf("Package argument", p.packageArguments),
				...keyRows("Environment variable", p.environmentVariables),
				...keyRows("Header", p.transport.headers),
			]
		: r
			? [...variableRows(r.variables), ...keyRows("Header", r.headers)]
			: [];
	const facts: string[] = [];
	if (p) {
		if (p.registryBaseUrl)
			facts.push(`<span class="muted">registry</span> ${externalLink(p.registryBaseUrl, p.registryBaseUrl)}`);
		if (p.runtimeHint) facts.push(`<span class="muted">runtime</span> <code>${esc(p.runtimeHint)}</code>`);
		if (p.transport.url) facts.push(`<span class="muted">serves</span> <code>${esc(p.transport.url)}</code>`);
	}
	const start = startCommand(o);
	const download =
		o.download && safeHttpUrl(o.download)
			? `<p><a class="btn" href="${esc(safeHttpUrl(o.download))}" rel="noopener noreferrer nofollow">Download the bundle</a></p>`
			: "";
	return `<article class="option" aria-labelledby="${esc(o.id)}-h">
<header class="option-head">
<h3 id="${esc(o.id)}-h"><span class="option-n">${k + 1}</span>${esc(o.label)}</h3>
<p class="option-target"><code>${esc(o.target)}</code> <span class="tag tag-transport">${esc(transportLabel(o.transport))}</span></p>
${facts.length > 0 ? `<p class="option-facts">${facts.join(" · ")}</p>` : ""}
</header>
${o.note ? `<p class="notice">${esc(o.note)}</p>` : ""}${download}
${start ? `<p class="hint">This package serves HTTP itself: start it first, then connect to it.</p>\n${codeBlock(`${o.id}-start`, start, "command that starts the server")}` : ""}
${clientPanels(key, o)}
${inputsNote(o.inputs)}
${configTable(rows, `Arguments and variables of ${o.label}`)}
</article>`;
}

export interface ServerPageInput {
	chrome: Chrome;
	snapshot: Snapshot;
	/** The entry shown. */
	index: number;
	/** This server's versions, newest publish first (as the API lists them). */
	versions: number[];
	/** Whether deleted versions are listed (`include_deleted=true`). */
	includeDeleted: boolean;
	/** How many versions are deleted (a link shows them when there are some). */
	deletedCount: number;
	/** Whether the URL named a version (else: the latest). */
	versionAsked: boolean;
	icons: IconPolicy;
}

function versionList(input: ServerPageInput, current: Entry): string {
	const { snapshot, versions, includeDeleted } = input;
	const suffix = includeDeleted ? "?include_deleted=true" : "";
	const items = versions
		.map((i) => {
			const { server, official } = readEntry(snapshot.entry(i));
			const here = i === input.index;
			const latest = official.isLatest ? `<span class="tag tag-latest">latest</span>` : "";
			return `<li${here ? ' class="here"' : ""}><a href="${esc(serverPath(server.name, server.version) + suffix)}"${here ? ' aria-current="page"' : ""}>${esc(server.version)}</a>${latest}${statusBadge(official.status)}<span class="muted">${dateTag(official.publishedAt)}</span></li>`;
		})
		.join("\n");
	const name = current.server.name;
	const toggle =
		input.deletedCount > 0
			? includeDeleted
				? `<p><a href="${esc(serverPath(name))}">Hide deleted versions</a></p>`
				: `<p><a href="${esc(`${serverPath(name)}?include_deleted=true`)}">Show ${input.deletedCount} deleted version${input.deletedCount === 1 ? "" : "s"}</a></p>`
			: "";
	return `<section class="side-card" aria-labelledby="versions-h"><h2 id="versions-h">Versions <span class="muted">${versions.length}</span></h2>
<ol class="versions">
${items}
</ol>
${toggle}</section>`;
}

export function serverPage(input: ServerPageInput): string {
	const { chrome, snapshot } = input;
	const entry = readEntry(snapshot.entry(input.index));
	const { server, official } = entry;
	const display = server.title ?? shortName(server.name);
	const options = installOptions(server);
	const notice =
		official.status === "active"
			? ""
			: `<div class="notice notice-${official.status === "deleted" ? "bad" : "warn"}" role="note"><strong>${official.status === "deleted" ? "Deleted" : "Deprecated"}.</strong> ${official.statusMessage ? esc(official.statusMessage) : official.status === "deleted" ? "This server has been removed from the registry." : "This server is no longer recommended."}</div>`;
	const facts: string[] = [
		`<dt>Version</dt><dd><code>${esc(server.version)}</code>${official.isLatest ? ` <span class="tag tag-latest">latest</span>` : ""}</dd>`,
		`<dt>Status</dt><dd>${official.status === "active" ? "active" : statusBadge(official.status)}</dd>`,
	];
	if (official.publishedAt) facts.push(`<dt>Published</dt><dd>${dateTag(official.publishedAt)}</dd>`);
	if (official.updatedAt && official.updatedAt !== official.publishedAt)
		facts.push(`<dt>Updated</dt><dd>${dateTag(official.updatedAt)}</dd>`);
	if (server.repository?.url) {
		const label = server.repository.url.replace(/^https?:\/\//, "");
		facts.push(
			`<dt>Repository</dt><dd>${externalLink(server.repository.url, label)}${server.repository.subfolder ? ` <span class="muted">${esc(server.repository.subfolder)}</span>` : ""}</dd>`,
		);
	}
	if (server.websiteUrl)
		facts.push(
			`<dt>Website</dt><dd>${externalLink(server.websiteUrl, server.websiteUrl.replace(/^https?:\/\//, ""))}</dd>`,
		);
	facts.push(
		`<dt>JSON</dt><dd><a href="${esc(apiPath(server.name, server.version))}">server.json via the API</a></dd>`,
	);
	const install =
		options.length === 0
			? `<p class="notice">This server lists no package or remote to install.</p>`
			: options.map((o, k) => optionArticle(server, o, k)).join("\n");
	const main = `<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="/">Servers</a></li><li><span aria-current="page">${esc(display)}</span></li></ol></nav>
<div class="server-head">
${iconOf(server, input.icons, "lg")}
<div class="server-id">
<h1>${esc(display)}</h1>
<p class="server-name"><code>${esc(server.name)}</code></p>
</div>
</div>
${notice}
<p class="lead">${esc(server.description)}</p>
<div class="columns">
<div class="col-main">
<section aria-labelledby="install-h">
<h2 id="install-h">Install</h2>
${install}
</section>
</div>
<div class="col-side">
<section class="side-card" aria-labelledby="about-h"><h2 id="about-h">About</h2>
<dl class="facts">
${facts.join("\n")}
</dl>
</section>
${versionList(input, entry)}
</div>
</div>`;
	return page(chrome, {
		title: input.versionAsked ? `${display} ${server.version}` : display,
		description: server.description,
		main,
		section: "servers",
	});
}

export function notFoundPage(
	chrome: Chrome,
	name: string,
	version: string | undefined,
	deletedHint: boolean,
): string {
	const what =
		version === undefined
			? `<code>${esc(name)}</code>`
			: `<code>${esc(name)}</code> version <code>${esc(version)}</code>`;
	const here = `${serverPath(name, version)}?include_deleted=true`;
	const main = `<div class="empty empty-page">
<h1>Server not found</h1>
<p>${deletedHint ? `The server ${what} has been deleted from this registry.` : `There is no server ${what} in this registry.`}</p>
${deletedHint ? `<p><a href="${esc(here)}">Show it anyway</a></p>` : ""}
<p><a class="btn" href="/">Browse all servers</a></p>
</div>`;
	return page(chrome, { title: "Not found", main });
}
