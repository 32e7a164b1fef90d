/**
 * The UI's only script, served as an asset (never inline: the pages' Content-Security-Policy
 * allows scripts from the registry's origin alone). Everything works without it; with it:
 * the theme toggle, search-as-you-type (the next page's results fetched from this origin and
 * swapped in), copy buttons, tabs for the clients' configurations, and `/` to focus the search.
 *
 * `client` is sent as its own source text (`(${client})()`), so it refers to nothing outside
 * itself; the declarations below only type the few browser globals it uses (this project's
 * TypeScript has no DOM library).
 */

interface El {
	id: string;
	hidden: boolean;
	tabIndex: number;
	type: string;
	value: string;
	tagName: string;
	className: string;
	innerHTML: string;
	textContent: string | null;
	isContentEditable: boolean;
	firstChild: El | null;
	dataset: Record<string, string | undefined>;
	classList: { add(c: string): void };
	getAttribute(name: string): string | null;
	setAttribute(name: string, value: string): void;
	removeAttribute(name: string): void;
	addEventListener(type: string, listener: (e: Ev) => void): void;
	querySelector(selector: string): El | null;
	querySelectorAll(selector: string): Iterable<El>;
	insertBefore(node: El, ref: El | null): El;
	appendChild(node: El): El;
	remove(): void;
	focus(): void;
	complete?: boolean;
	naturalWidth?: number;
	nextElementSibling: El | null;
	select(): void;
}

interface Ev {
	key: string;
	target: El | null;
	ctrlKey: boolean;
	metaKey: boolean;
	altKey: boolean;
	preventDefault(): void;
}

interface Doc {
	documentElement: El;
	body: El;
	readyState: string;
	title: string;
	getElementById(id: string): El | null;
	querySelectorAll(selector: string): Iterable<El>;
	createElement(tag: string): El;
	addEventListener(type: string, listener: (e: Ev) => void, capture?: boolean): void;
	execCommand(command: string): boolean;
}

declare const document: Doc;
declare const localStorage: {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
};
declare const navigator: { clipboard?: { writeText(text: string): Promise<void> } };
declare const history: { replaceState(state: unknown, title: string, url: string): void };
declare const location: { assign(url: string): void };
declare const DOMParser: new () => { parseFromString(text: string, type: string): Doc };

export function client(): void {
	const doc = document;
	const root = doc.documentElement;
	const THEME = "mcp-registry-theme";
	const CLIENT = "mcp-registry-client";
	const stored = (key: string): string => {
		try {
			return localStorage.getItem(key) ?? "";
		} catch {
			return "";
		}
	};
	const store = (key: string, value: string) => {
		try {
			if (value === "") localStorage.removeItem(key);
			else localStorage.setItem(key, value);
		} catch {}
	};
	const applyTheme = (t: string) => {
		if (t === "light" || t === "dark") root.setAttribute("data-theme", t);
		else root.removeAttribute("data-theme");
	};
	// Before the body is drawn: no flash of the other theme.
	applyTheme(stored(THEME));

	const say = (text: string) => {
		const live = doc.getElementById("live");
		if (live) live.textContent = text;
	};

	const themeToggle = () => {
		const button = doc.getElementById("theme");
		if (!button) return;
		const label = button.querySelector(".theme-label");
		const show = () => {
			const mode = stored(THEME) || "system";
			if (label) label.textContent = mode === "system" ? "Auto" : mode === "light" ? "Light" : "Dark";
			button.dataset.mode = mode;
		};
		button.hidden = false;
		show();
		button.addEventListener("click", () => {
			const order = ["", "light", "dark"];
			const next = order[(order.indexOf(stored(THEME)) + 1) % order.length] ?? "";
			store(THEME, next);
			applyTheme(next);
			show();
			say(`Theme: ${next || "system"}`);
		});
	};

	const legacyCopy = (text: string): boolean => {
		const area = doc.createElement("textarea");
		area.value = text;
		area.setAttribute("readonly", "");
		area.className = "sr-only";
		doc.body.appendChild(area);
		area.select();
		let ok = false;
		try {
			ok = doc.execCommand("copy");
		} catch {}
		area.remove();
		return ok;
	};

	const copyText = (text: string): Promise<boolean> => {
		const clipboard = navigator.clipboard;
		if (!clipboard) return Promise.resolve(legacyCopy(text));
		return clipboard.writeText(text).then(
			() => true,
			() => legacyCopy(text),
		);
	};

	const copyButtons = () => {
		for (const button of doc.querySelectorAll("button[data-copy]")) {
			button.hidden = false;
			const label = button.firstChild;
			let timer: ReturnType<typeof setTimeout> | undefined;
			button.addEventListener("click", () => {
				const source = doc.getElementById(button.dataset.copy ?? "");
				copyText(source?.textContent ?? "").then((ok) => {
					if (label) label.textContent = ok ? "Copied" : "Select and copy";
					button.dataset.copied = ok ? "yes" : "no";
					say(ok ? "Copied to the clipboard" : "Could not copy: select the text and copy it");
					clearTimeout(timer);
					timer = setTimeout(() => {
						if (label) label.textContent = "Copy";
						delete button.dataset.copied;
					}, 2000);
				});
			});
		}
	};

	/** Every tab group, to show the same client in all of them. */
	const groups: ((client: string) => void)[] = [];

	const tabs = (box: El) => {
		const panels = [...box.querySelectorAll(".panel")];
		if (panels.length < 2) return;
		const list = doc.createElement("div");
		list.setAttribute("role", "tablist");
		list.setAttribute("aria-label", "Client");
		list.className = "tablist";
		const buttons: El[] = [];
		const select = (k: number, focus: boolean) => {
			buttons.forEach((b, j) => {
				b.setAttribute("aria-selected", String(j === k));
				b.tabIndex = j === k ? 0 : -1;
				(panels[j] as El).hidden = j !== k;
			});
			if (focus) buttons[k]?.focus();
		};
		panels.forEach((panel, k) => {
			const title = panel.querySelector(".panel-title");
			const b = doc.createElement("button");
			b.type = "button";
			b.className = "tab";
			b.id = `${panel.id}-tab`;
			b.setAttribute("role", "tab");
			b.setAttribute("aria-controls", panel.id);
			b.textContent = title?.textContent ?? "";
			title?.classList.add("sr-only");
			panel.setAttribute("role", "tabpanel");
			panel.setAttribute("aria-labelledby", b.id);
			b.addEventListener("click", () => {
				const client = panel.dataset.client ?? "";
				store(CLIENT, client);
				for (const g of groups) g(client);
			});
			b.addEventListener("keydown", (e) => {
				const last = panels.length - 1;
				const to =
					e.key === "ArrowRight"
						? k === last
							? 0
							: k + 1
						: e.key === "ArrowLeft"
							? k === 0
								? last
								: k - 1
							: e.key === "Home"
								? 0
								: e.key === "End"
									? last
									: -1;
				if (to < 0) return;
				e.preventDefault();
				select(to, true);
			});
			list.appendChild(b);
			buttons.push(b);
		});
		box.insertBefore(list, box.firstChild);
		const show = (client: string) => {
			const k = panels.findIndex((p) => p.dataset.client === client);
			select(Math.max(k, 0), false);
		};
		groups.push(show);
		show(stored(CLIENT));
	};

	const liveSearch = () => {
		const form = doc.getElementById("search");
		if (!form || !doc.getElementById("results")) return;
		for (const b of form.querySelectorAll("[data-nojs]")) b.hidden = true;
		let timer: ReturnType<typeof setTimeout> | undefined;
		let seq = 0;
		const target = (): string => {
			const q = new URLSearchParams();
			for (const field of form.querySelectorAll("input[name], select[name]")) {
				const value = field.value.trim();
				const name = field.getAttribute("name");
				if (name && value !== "") q.set(name, value);
			}
			const s = q.toString();
			return s === "" ? "/" : `/?${s}`;
		};
		const run = () => {
			const url = target();
			const mine = ++seq;
			fetch(url, { headers: { Accept: "text/html" } })
				.then((res) => (res.ok ? res.text() : Promise.reject(new Error(String(res.status)))))
				.then(
					(html) => {
						if (mine !== seq) return;
						const next = new DOMParser().parseFromString(html, "text/html");
						const fresh = next.getElementById("results");
						const results = doc.getElementById("results");
						if (!fresh || !results) return;
						results.innerHTML = fresh.innerHTML;
						const count = doc.getElementById("count");
						const freshCount = next.getElementById("count");
						if (count && freshCount) count.textContent = freshCount.textContent;
						doc.title = next.title;
						history.replaceState(null, "", url);
					},
					() => {
						if (mine === seq) location.assign(url);
					},
				);
		};
		const later = (ms: number) => {
			clearTimeout(timer);
			timer = setTimeout(run, ms);
		};
		form.addEventListener("input", (e) => {
			if (e.target?.tagName !== "SELECT") later(180);
		});
		form.addEventListener("change", (e) => {
			if (e.target?.tagName === "SELECT") later(0);
		});
		form.addEventListener("submit", (e) => {
			e.preventDefault();
			later(0);
		});
	};

	const shortcuts = () => {
		doc.addEventListener("keydown", (e) => {
			if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
			const t = e.target;
			const tag = t?.tagName ?? "";
			if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || t?.isContentEditable) return;
			const q = doc.getElementById("q");
			if (!q) return;
			e.preventDefault();
			q.focus();
			q.select();
		});
	};

	// A server's own icon that fails to load (a dead URL, a closed network) gives way to the
	// monogram that follows it, hidden, in the page: errors do not bubble, so they are caught on
	// their way down, and icons that failed before this script ran are found by their size.
	const iconFallback = () => {
		const fallBack = (img: El) => {
			const mono = img.nextElementSibling;
			if (mono?.dataset.iconFallback === undefined) return;
			mono.hidden = false;
			img.remove();
		};
		doc.addEventListener(
			"error",
			(e) => {
				if (e.target?.dataset?.icon !== undefined) fallBack(e.target);
			},
			true,
		);
		for (const img of doc.querySelectorAll("img[data-icon]")) {
			if (img.complete && img.naturalWidth === 0) fallBack(img);
		}
	};

	const init = () => {
		iconFallback();
		themeToggle();
		copyButtons();
		for (const box of doc.querySelectorAll("[data-tabs]")) tabs(box);
		liveSearch();
		shortcuts();
	};
	if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
	else init();
}

/** The script as served. */
export const CLIENT_SCRIPT = `"use strict";(${client.toString()})();\n`;
