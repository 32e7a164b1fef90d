/** A self-contained API reference page (no CDN, no script), rendered from the OpenAPI document. */

const esc = (s: unknown) =>
	String(s).replace(
		/[&<>"']/g,
		(c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
	);

/** `code` spans in descriptions, escaped. */
const prose = (s: string) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

interface Op {
	operationId: string;
	summary: string;
	description?: string;
	parameters?: {
		name: string;
		in: string;
		required?: boolean;
		description: string;
		schema: Record<string, unknown>;
	}[];
	responses: Record<string, { description: string }>;
}

function schemaText(schema: Record<string, unknown>): string {
	const parts = [String(schema.type ?? "any")];
	if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
	if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
	if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
	return parts.join(", ");
}

export function renderDocs(doc: Record<string, unknown>): string {
	const info = doc.info as { title: string; description: string; version: string };
	const paths = doc.paths as Record<string, Record<string, Op>>;
	const sections: string[] = [];
	for (const [path, item] of Object.entries(paths)) {
		if (path.startsWith("/v0/")) continue; // /v0 mirrors /v0.1: document once
		for (const [method, op] of Object.entries(item)) {
			const params = (op.parameters ?? [])
				.map(
					(p) =>
						`<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}${p.required ? ", required" : ""}</td><td>${esc(schemaText(p.schema))}</td><td>${prose(p.description)}</td></tr>`,
				)
				.join("");
			const responses = Object.entries(op.responses)
				.map(([status, r]) => `<li><b>${esc(status)}</b> ${prose(r.description)}</li>`)
				.join("");
			sections.push(`<section id="${esc(op.operationId)}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${prose(op.summary)}${op.description ? `. ${prose(op.description)}` : ""}</p>
${params ? `<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>${params}</table>` : ""}
<ul>${responses}</ul>
</section>`);
		}
	}
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1f24;background:#fff}
h1{margin-bottom:.2rem}code{font:13px ui-monospace,monospace;background:#f3f4f6;padding:.05rem .3rem;border-radius:4px}
section{border-top:1px solid #e5e7eb;padding:.4rem 0}h3{font-size:1rem;margin:.6rem 0 .2rem}
table{border-collapse:collapse;margin:.4rem 0;width:100%}td,th{border:1px solid #e5e7eb;padding:.25rem .5rem;text-align:left;vertical-align:top}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:.1rem .3rem;background:#6b7280}
.get{background:#2563eb}.post{background:#059669}.put,.patch{background:#d97706}.delete{background:#dc2626}
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}code{background:#161b22}td,th,section{border-color:#30363d}}
</style></head><body>
<h1>${esc(info.title)} API</h1>
<p>${prose(info.description)}</p>
<p>Every <code>/v0.1</code> route below is also served under <code>/v0</code>, identically. Machine-readable:
<a href="/openapi.yaml">/openapi.yaml</a>, <a href="/openapi.json">/openapi.json</a>. Errors are RFC 9457
problem details (<code>application/problem+json</code>).</p>
<p>Example: <code>curl 'http://localhost:8080/v0.1/servers?search=github&amp;version=latest&amp;limit=5'</code></p>
${sections.join("\n")}
</body></html>
`;
}
