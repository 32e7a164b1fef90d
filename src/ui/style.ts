/**
 * The UI's stylesheet, served as an asset (the pages' Content-Security-Policy allows no inline
 * style). System fonts only; light and dark themes from the system's preference, or the one the
 * theme toggle chose (`data-theme` on the root). Colours are chosen for WCAG AA contrast in both.
 */

const LIGHT = `
	color-scheme: light;
	--bg: #f6f7f9;
	--surface: #ffffff;
	--surface-2: #f0f2f5;
	--text: #1a1f29;
	--muted: #566171;
	--border: #dde1e7;
	--border-strong: #c5ccd6;
	--accent: #4338ca;
	--accent-hover: #3730a3;
	--accent-soft: #eef0ff;
	--on-accent: #ffffff;
	--focus: #6366f1;
	--code-bg: #f3f4f8;
	--code-text: #1f2533;
	--warn-bg: #fff4d6;
	--warn-text: #7a4b00;
	--warn-border: #f2cf72;
	--bad-bg: #fde8e8;
	--bad-text: #a11a1a;
	--bad-border: #f3b0b0;
	--ok-bg: #e3f6e8;
	--ok-text: #155d2b;
	--shadow: 0 1px 2px rgb(16 24 40 / 6%), 0 1px 3px rgb(16 24 40 / 8%);
	--shadow-hover: 0 4px 12px rgb(16 24 40 / 10%);
	--mark-bg: #4338ca;
	--mark-fg: #ffffff;`;

const DARK = `
	color-scheme: dark;
	--bg: #0e1117;
	--surface: #161b23;
	--surface-2: #1d232d;
	--text: #e7ebf1;
	--muted: #9aa5b4;
	--border: #2a313c;
	--border-strong: #3a4350;
	--accent: #a5b4fc;
	--accent-hover: #c7d0fe;
	--accent-soft: #232845;
	--on-accent: #ffffff;
	--focus: #a5b4fc;
	--code-bg: #0b0e13;
	--code-text: #dbe2ec;
	--warn-bg: #33270a;
	--warn-text: #f5cf6b;
	--warn-border: #6b5114;
	--bad-bg: #3a1214;
	--bad-text: #ffa3a3;
	--bad-border: #73272b;
	--ok-bg: #0f2f1b;
	--ok-text: #7fe0a0;
	--shadow: 0 1px 2px rgb(0 0 0 / 40%);
	--shadow-hover: 0 6px 16px rgb(0 0 0 / 45%);
	--mark-bg: #6366f1;
	--mark-fg: #ffffff;`;

/** Monogram backgrounds (white initials on each pass 4.5:1). */
const HUES = [
	"#4338ca",
	"#0f766e",
	"#b42318",
	"#7e22ce",
	"#1d4ed8",
	"#a14a00",
	"#be185d",
	"#15803d",
	"#0e7490",
	"#4d5666",
];

export const STYLESHEET = `:root {${LIGHT}
}
@media (prefers-color-scheme: dark) {
	:root:not([data-theme="light"]) {${DARK}
	}
}
:root[data-theme="dark"] {${DARK}
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
	margin: 0;
	font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
	color: var(--text);
	background: var(--bg);
	min-height: 100vh;
	display: flex;
	flex-direction: column;
}
main { flex: 1; outline: none; }
a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
a:hover { color: var(--accent-hover); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; border-radius: 4px; }
code, pre, kbd { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86em; }
code { background: var(--code-bg); color: var(--code-text); padding: 0.1em 0.35em; border-radius: 5px; overflow-wrap: anywhere; }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }
.sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
[hidden] { display: none !important; }
.muted { color: var(--muted); }
.wrap { width: 100%; max-width: 76rem; margin: 0 auto; padding: 0 1.25rem; }

.skip { position: absolute; left: 1rem; top: 0.75rem; z-index: 10; background: var(--surface); color: var(--accent); padding: 0.5rem 0.9rem; border-radius: 8px; box-shadow: var(--shadow-hover); transform: translateY(-200%); }
.skip:focus { transform: none; }

.top { background: var(--surface); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 5; }
.top-in { display: flex; align-items: center; justify-content: space-between; gap: 1rem; min-height: 3.6rem; }
.brand { display: flex; align-items: center; gap: 0.65rem; color: var(--text); text-decoration: none; min-width: 0; }
.brand:hover { color: var(--text); }
.brand-text { display: flex; flex-direction: column; line-height: 1.2; min-width: 0; }
.brand-title { font-weight: 650; font-size: 1.02rem; letter-spacing: -0.01em; }
.brand-org { color: var(--muted); font-size: 0.8rem; }
.logo { height: 32px; width: auto; max-width: 10rem; object-fit: contain; }
.mark-bg { fill: var(--mark-bg); }
.mark-fg { stroke: var(--mark-fg); }
.top-nav { display: flex; align-items: center; gap: 0.25rem; }
.top-nav a { color: var(--muted); text-decoration: none; padding: 0.4rem 0.7rem; border-radius: 8px; font-weight: 500; }
.top-nav a:hover { color: var(--text); background: var(--surface-2); }
.top-nav a[aria-current="page"] { color: var(--text); background: var(--surface-2); }
.theme-toggle { display: inline-flex; align-items: center; gap: 0.4rem; font: inherit; font-size: 0.88rem; color: var(--muted); background: transparent; border: 1px solid var(--border); border-radius: 8px; padding: 0.3rem 0.65rem; cursor: pointer; margin-left: 0.35rem; }
.theme-toggle:hover { color: var(--text); border-color: var(--border-strong); }
.theme-icon { width: 0.9rem; height: 0.9rem; border-radius: 50%; border: 2px solid currentColor; background: linear-gradient(90deg, currentColor 50%, transparent 50%); }

.hero { padding: 2.2rem 0 1.2rem; }
.hero h1 { font-size: clamp(1.6rem, 2.6vw, 2.1rem); letter-spacing: -0.02em; font-weight: 700; }
.sub { color: var(--muted); margin: 0.45rem 0 1.3rem; max-width: 46rem; font-size: 1.02rem; }
.search-box { position: relative; max-width: 46rem; }
.search-icon { position: absolute; left: 0.95rem; top: 50%; transform: translateY(-50%); color: var(--muted); pointer-events: none; }
.search-box input {
	width: 100%; font: inherit; font-size: 1.05rem; color: var(--text); background: var(--surface);
	border: 1px solid var(--border-strong); border-radius: 12px; padding: 0.8rem 3rem 0.8rem 2.8rem; box-shadow: var(--shadow);
	-webkit-appearance: none; appearance: none;
}
.search-box input::placeholder { color: var(--muted); opacity: 1; }
.search-box input:focus { outline: none; border-color: var(--focus); box-shadow: 0 0 0 3px color-mix(in srgb, var(--focus) 30%, transparent); }
.kbd-hint { position: absolute; right: 0.9rem; top: 50%; transform: translateY(-50%); color: var(--muted); border: 1px solid var(--border-strong); border-radius: 6px; padding: 0 0.45rem; font-size: 0.8rem; background: var(--surface-2); }
.search-box input:focus ~ .kbd-hint { display: none; }
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.75rem 1rem; margin-top: 0.9rem; }
.field { display: flex; flex-direction: column; gap: 0.2rem; }
.field label { font-size: 0.8rem; font-weight: 600; color: var(--muted); }
select {
	font: inherit; font-size: 0.92rem; color: var(--text); background-color: var(--surface);
	border: 1px solid var(--border-strong); border-radius: 9px; padding: 0.42rem 0.6rem; min-width: 11rem;
}
.btn {
	display: inline-flex; align-items: center; gap: 0.45rem; font: inherit; font-weight: 600; font-size: 0.92rem;
	padding: 0.48rem 0.95rem; border-radius: 9px; border: 1px solid var(--border-strong); background: var(--surface);
	color: var(--text); text-decoration: none; cursor: pointer;
}
.btn:hover { border-color: var(--accent); color: var(--text); }
.btn-primary { background: #4338ca; border-color: #4338ca; color: var(--on-accent); }
.btn-primary:hover { background: #3730a3; border-color: #3730a3; color: var(--on-accent); }

.count { margin: 0.6rem 0 0.9rem; color: var(--muted); font-weight: 500; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 30rem), 1fr)); gap: 0.9rem; }
.card {
	position: relative; display: flex; gap: 0.9rem; align-items: flex-start; background: var(--surface);
	border: 1px solid var(--border); border-radius: 14px; padding: 1rem 1.1rem; box-shadow: var(--shadow);
	transition: box-shadow 0.15s, border-color 0.15s, transform 0.15s;
}
.card:hover { border-color: var(--border-strong); box-shadow: var(--shadow-hover); }
.card:focus-within { border-color: var(--focus); }
.card-main { min-width: 0; flex: 1; }
.card-title { font-size: 1.03rem; font-weight: 650; }
.card-title a { color: var(--text); text-decoration: none; }
.card-title a::after { content: ""; position: absolute; inset: 0; border-radius: 14px; }
.card-title a:hover { color: var(--accent); }
.card-title a:focus-visible { outline: none; }
.card-title a:focus-visible::after { outline: 3px solid var(--focus); outline-offset: 2px; }
.card-name { margin: 0.1rem 0 0; color: var(--muted); font-size: 0.82rem; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.card-desc { margin: 0.45rem 0 0.6rem; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; overflow-wrap: anywhere; }
.card-deleted .card-title a { text-decoration: line-through; text-decoration-color: var(--muted); }
.tags { display: flex; flex-wrap: wrap; gap: 0.35rem; margin: 0; }
.tag { display: inline-flex; align-items: center; font-size: 0.76rem; font-weight: 600; line-height: 1.2; padding: 0.18rem 0.5rem; border-radius: 999px; background: var(--surface-2); color: var(--muted); border: 1px solid var(--border); white-space: nowrap; }
.tag-version { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 500; }
.tag-type { background: var(--accent-soft); color: var(--accent); border-color: transparent; }
.tag-warn { background: var(--warn-bg); color: var(--warn-text); border-color: var(--warn-border); }
.tag-bad { background: var(--bad-bg); color: var(--bad-text); border-color: var(--bad-border); }
.tag-latest { background: var(--ok-bg); color: var(--ok-text); border-color: transparent; margin-left: 0.35rem; }
.tag-req { background: var(--warn-bg); color: var(--warn-text); border-color: transparent; margin-left: 0.3rem; }
.tag-secret { background: var(--bad-bg); color: var(--bad-text); border-color: transparent; margin-left: 0.3rem; }

.mono { flex: none; display: inline-flex; align-items: center; justify-content: center; color: #fff; font-weight: 700; letter-spacing: 0.02em; user-select: none; }
.mono-sm { width: 2.6rem; height: 2.6rem; border-radius: 11px; font-size: 0.98rem; }
.mono-lg { width: 3.6rem; height: 3.6rem; border-radius: 15px; font-size: 1.3rem; }
${HUES.map((c, i) => `.hue-${i} { background: ${c}; }`).join("\n")}
.icon { flex: none; border-radius: 11px; background: var(--surface-2); object-fit: contain; }

.pager { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin: 1.4rem 0 2.5rem; }
.pager-link { font-weight: 600; padding: 0.45rem 0.9rem; border-radius: 9px; border: 1px solid var(--border); background: var(--surface); text-decoration: none; }
span.pager-link { color: var(--muted); border-style: dashed; }
a.pager-link:hover { border-color: var(--accent); }
.pager-pos { color: var(--muted); font-size: 0.9rem; }
.empty { text-align: center; padding: 3rem 1rem; background: var(--surface); border: 1px dashed var(--border-strong); border-radius: 14px; margin-bottom: 2rem; }
.empty p { margin: 0.3rem 0; }
.empty-page { margin-top: 2.5rem; }
.empty-page h1 { margin-bottom: 0.8rem; }
.empty .btn { margin-top: 0.9rem; }

.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; padding: 0; margin: 1.3rem 0 1rem; font-size: 0.9rem; color: var(--muted); }
.crumbs li + li::before { content: "/"; margin-right: 0.4rem; color: var(--border-strong); }
.server-head { display: flex; gap: 1rem; align-items: center; }
.server-id { min-width: 0; }
.server-head h1 { font-size: clamp(1.5rem, 2.4vw, 2rem); letter-spacing: -0.02em; overflow-wrap: anywhere; }
.server-name { margin: 0.25rem 0 0; }
.server-name code { background: transparent; padding: 0; color: var(--muted); font-size: 0.92rem; }
.lead { font-size: 1.08rem; margin: 1rem 0 1.5rem; max-width: 52rem; overflow-wrap: anywhere; white-space: pre-line; }
.notice { border: 1px solid var(--border); background: var(--surface-2); border-radius: 10px; padding: 0.7rem 0.95rem; margin: 1rem 0; overflow-wrap: anywhere; }
.notice-warn { background: var(--warn-bg); color: var(--warn-text); border-color: var(--warn-border); }
.notice-bad { background: var(--bad-bg); color: var(--bad-text); border-color: var(--bad-border); }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) 20rem; gap: 1.6rem; align-items: start; margin-bottom: 3rem; }
@media (max-width: 60rem) { .columns { grid-template-columns: minmax(0, 1fr); } }
.col-main h2, .side-card h2 { font-size: 1.15rem; margin-bottom: 0.8rem; }
.side-card { background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 1rem 1.1rem; margin-bottom: 1rem; box-shadow: var(--shadow); }
.facts { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 0.45rem 0.9rem; margin: 0; font-size: 0.92rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.versions { list-style: none; margin: 0; padding: 0; font-size: 0.92rem; max-height: 24rem; overflow: auto; }
.versions li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem; padding: 0.35rem 0.4rem; border-radius: 8px; }
.versions li .muted { margin-left: auto; font-size: 0.84rem; }
.versions li.here { background: var(--accent-soft); }
.versions a { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88rem; }
.versions a[aria-current="page"] { font-weight: 700; color: var(--text); text-decoration: none; }
.unlinked { overflow-wrap: anywhere; color: var(--muted); }

.option { background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 1.1rem 1.2rem; margin-bottom: 1.1rem; box-shadow: var(--shadow); }
.option-head { margin-bottom: 0.8rem; }
.option-head h3 { font-size: 1.02rem; display: flex; align-items: center; gap: 0.55rem; }
.option-n { display: inline-flex; align-items: center; justify-content: center; width: 1.5rem; height: 1.5rem; border-radius: 50%; background: var(--accent-soft); color: var(--accent); font-size: 0.8rem; }
.option-target { margin: 0.45rem 0 0; display: flex; flex-wrap: wrap; align-items: center; gap: 0.45rem; }
.option-facts { margin: 0.35rem 0 0; font-size: 0.88rem; overflow-wrap: anywhere; }
.tablist { display: flex; flex-wrap: wrap; gap: 0.25rem; border-bottom: 1px solid var(--border); margin-bottom: 0.9rem; }
.tab { font: inherit; font-size: 0.9rem; font-weight: 600; color: var(--muted); background: transparent; border: 0; border-bottom: 2px solid transparent; padding: 0.5rem 0.8rem; margin-bottom: -1px; cursor: pointer; border-radius: 8px 8px 0 0; }
.tab:hover { color: var(--text); background: var(--surface-2); }
.tab[aria-selected="true"] { color: var(--accent); border-bottom-color: var(--accent); }
.panel + .panel { margin-top: 1.1rem; }
.tabs .panel[role="tabpanel"] + .panel { margin-top: 0; }
.panel-title { font-size: 0.95rem; margin-bottom: 0.4rem; }
.panel p { margin: 0.4rem 0; }
.hint { color: var(--muted); font-size: 0.9rem; }
.code { position: relative; margin: 0.5rem 0 0.8rem; }
.code pre { margin: 0; background: var(--code-bg); color: var(--code-text); border: 1px solid var(--border); border-radius: 10px; padding: 0.85rem 1rem; overflow: auto; max-height: 26rem; line-height: 1.5; font-size: 0.84rem; }
.code pre code { background: transparent; padding: 0; font-size: inherit; overflow-wrap: normal; }
.copy { position: absolute; top: 0.5rem; right: 0.5rem; font: inherit; font-size: 0.8rem; font-weight: 600; color: var(--text); background: var(--surface); border: 1px solid var(--border-strong); border-radius: 7px; padding: 0.3rem 0.7rem; min-height: 1.9rem; cursor: pointer; }
.copy:hover { border-color: var(--accent); }
.copy[data-copied="yes"] { color: var(--ok-text); border-color: var(--ok-text); }
.inputs { border-top: 1px solid var(--border); margin-top: 1rem; padding-top: 0.8rem; font-size: 0.9rem; color: var(--muted); }
.inputs p { margin: 0; }
.inputs code { color: var(--code-text); }
.inputs .tag { margin-left: 0.25rem; }
.table-wrap { position: relative; overflow-x: auto; margin-top: 0.9rem; border: 1px solid var(--border); border-radius: 10px; }
table.config { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
.config th, .config td { text-align: left; vertical-align: top; padding: 0.5rem 0.65rem; border-bottom: 1px solid var(--border); overflow-wrap: break-word; }
.config td:first-child, .config tbody th, .config td:nth-child(4) { white-space: nowrap; }
.config code { overflow-wrap: normal; }
.config td:nth-child(3) code { overflow-wrap: anywhere; }
.config td:nth-child(3) .muted { white-space: nowrap; }
.config td:nth-child(4) .tag { margin: 0 0.3rem 0 0; }
.config thead th { background: var(--surface-2); color: var(--muted); font-weight: 600; font-size: 0.8rem; }
.config tbody tr:last-child th, .config tbody tr:last-child td { border-bottom: 0; }
.config tbody th { font-weight: 500; }

.foot { border-top: 1px solid var(--border); background: var(--surface); color: var(--muted); font-size: 0.86rem; }
.foot-in { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem 1.5rem; padding-top: 1rem; padding-bottom: 1rem; }
.foot p { margin: 0; }
@media (prefers-reduced-motion: reduce) { * { transition: none !important; } }
@media (max-width: 40rem) {
	.wrap { padding: 0 0.9rem; }
	.brand-org { display: none; }
	select { min-width: 0; width: 100%; }
	.field { flex: 1 1 100%; }
}
`;
