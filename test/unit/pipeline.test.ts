import { describe, expect, test } from "bun:test";
import { compose, type Incoming, type Routed, type Stage } from "../../src/http/pipeline.ts";

const answer = (template: string): Routed => ({
	template,
	reply: { status: 200, body: null, cacheControl: "no-store" },
});
const incoming = (path: string): Incoming => ({
	req: new Request(`http://registry.test${path}`),
	path,
	query: undefined,
});

describe("compose", () => {
	test("no stages: the last step alone", () => {
		const out = compose([], (r) => answer(`last ${r.path}`))(incoming("/a"));
		expect(out.template).toBe("last /a");
	});

	test("stages run in order, each around the rest", () => {
		const order: string[] = [];
		const stage =
			(name: string): Stage =>
			(r, next) => {
				order.push(`${name} in`);
				const out = next(r);
				order.push(`${name} out`);
				return out;
			};
		compose([stage("a"), stage("b")], () => {
			order.push("last");
			return answer("last");
		})(incoming("/"));
		expect(order).toEqual(["a in", "b in", "last", "b out", "a out"]);
	});

	test("a stage that answers skips the rest", () => {
		let reached = false;
		const out = compose(
			[(r, next) => (r.path === "/stop" ? answer("stopped") : next(r)), () => answer("second")],
			() => {
				reached = true;
				return answer("last");
			},
		)(incoming("/stop"));
		expect(out.template).toBe("stopped");
		expect(reached).toBe(false);
	});

	test("a stage may hand on a different request", () => {
		const out = compose([(r, next) => next({ ...r, path: "/rewritten" })], (r) => answer(r.path))(
			incoming("/original"),
		);
		expect(out.template).toBe("/rewritten");
	});
});
