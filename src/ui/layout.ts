/**
 * The frame every UI page shares: head (stylesheet, script, icon: all assets of this registry),
 * the header with the organisation's title and logo, a skip link, the footer.
 */
import { esc } from "./html.ts";

/** What an organisation configures, and what the pages link to. */
export interface Chrome {
	title: string;
	organization?: string;
	/** The logo asset's URL and its alternative text. */
	logo?: { href: string; alt: string };
	/** URLs of the assets (content-hashed). */
	assets: { css: string; js: string; icon: string };
	/** The registry's version, for the footer. */
	version: string;
}

export interface PageParts {
	/** The document title (before the site's title). */
	title?: string;
	/** The page's description, for <meta name="description">. */
	description?: string;
	main: string;
	/** Which top-level section is current. */
	section?: "servers";
}

/** The default mark: two linked nodes, drawn inline (no request). */
const MARK = `<svg class="mark" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" class="mark-bg"/><path class="mark-fg" d="M10 11.5a3.5 3.5 0 1 1 7 0v9a3.5 3.5 0 1 0 7 0M8 16h6m4 0h6" fill="none" stroke-width="2.4" stroke-linecap="round"/></svg>`;

export function page(chrome: Chrome, parts: PageParts): string {
	const site = chrome.organization ? `${chrome.title} · ${chrome.organization}` : chrome.title;
	const title = parts.title ? `${parts.title} · ${site}` : site;
	const brandMark = chrome.logo
		? `<img class="logo" src="${esc(chrome.logo.href)}" alt="${esc(chrome.logo.alt)}" height="32">`
		: MARK;
	const org = chrome.organization ? `<span class="brand-org">${esc(chrome.organization)}</span>` : "";
	const current = (s: PageParts["section"]) => (parts.section === s ? ' aria-current="page"' : "");
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
${parts.description ? `<meta name="description" content="${esc(parts.description)}">\n` : ""}<title>${esc(title)}</title>
<link rel="icon" href="${esc(chrome.assets.icon)}" type="image/svg+xml">
<link rel="stylesheet" href="${esc(chrome.assets.css)}">
<script src="${esc(chrome.assets.js)}"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<div class="wrap top-in">
<a class="brand" href="/">${brandMark}<span class="brand-text"><span class="brand-title">${esc(chrome.title)}</span>${org}</span></a>
<nav class="top-nav" aria-label="Site">
<a href="/"${current("servers")}>Servers</a>
<a href="/docs">API</a>
<button type="button" class="theme-toggle" id="theme" hidden><span class="theme-icon" aria-hidden="true"></span><span class="sr-only">Theme: </span><span class="theme-label">Auto</span></button>
</nav>
</div>
</header>
<main id="main" class="wrap" tabindex="-1">
<div id="live" class="sr-only" role="status" aria-live="polite"></div>
${parts.main}
</main>
<footer class="foot">
<div class="wrap foot-in">
<p>${chrome.organization ? `${esc(chrome.organization)} · ` : ""}${esc(chrome.title)}</p>
<p><a href="/docs">API reference</a> · <a href="/openapi.yaml">OpenAPI</a> · <a href="/v0.1/health">Health</a> · <span class="muted">registry ${esc(chrome.version)}</span></p>
</div>
</footer>
</body>
</html>
`;
}
