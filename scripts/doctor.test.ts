import { describe, expect, it } from "vitest";
import { checkNode } from "./doctor.js";

describe("the doctor's Node.js check", () => {
  it("passes 22 and 24, warns on 20 (end of life), fails anything older", () => {
    expect(checkNode("24.21.0")).toEqual({ ok: true, what: "Node.js 24.21.0" });
    expect(checkNode("22.23.3").ok).toBe(true);
    expect(checkNode("20.20.2")).toMatchObject({ ok: undefined, what: "Node.js 20.20.2 reached end of life on 2026-04-30" });
    expect(checkNode("18.20.0")).toMatchObject({ ok: false, fix: "install Node.js 22 or 24 (LTS)" });
    expect(checkNode("20.9.0").ok).toBe(false);
  });
});
