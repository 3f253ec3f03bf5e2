import { describe, expect, it } from "vitest";
import { pythonFix } from "../local/install.js";
import { javaFix } from "../04-kcl-consumer/kcl-jars.js";
import { checkNode, checkPlatform } from "./doctor.js";

describe("the doctor's Node.js check", () => {
  it("passes 22 and 24, warns on 20 (end of life), fails anything older", () => {
    expect(checkNode("24.21.0")).toEqual({ ok: true, what: "Node.js 24.21.0" });
    expect(checkNode("22.23.3").ok).toBe(true);
    expect(checkNode("20.20.2")).toMatchObject({
      ok: undefined,
      what: "Node.js 20.20.2 reached end of life on 2026-04-30",
    });
    expect(checkNode("18.20.0")).toMatchObject({ ok: false, fix: "install Node.js 22 or 24 (LTS)" });
    expect(checkNode("20.9.0").ok).toBe(false);
  });
});

describe("the doctor's fixes, system by system", () => {
  it("tells a Mac user that Apple's python3 (3.9) is too old and how to get 3.10+, and how to get Java", () => {
    expect(pythonFix("darwin")).toMatch(/brew install python@3\.12.*macOS's own python3 is 3\.9/);
    expect(javaFix("darwin")).toMatch(/brew install openjdk@17/);
  });

  it("gives Windows and Linux their own install commands", () => {
    expect(pythonFix("win32")).toMatch(/winget install Python\.Python\.3\.12/);
    expect(javaFix("win32")).toMatch(/winget install Microsoft\.OpenJDK\.17/);
    expect(pythonFix("linux")).toMatch(/apt-get install python3 python3-venv/);
    expect(javaFix("linux")).toMatch(/apt-get install openjdk-17-jre-headless/);
  });

  it("points Windows users to WSL, and says nothing of the kind elsewhere", () => {
    expect(checkPlatform("win32")).toMatchObject({ ok: undefined, fix: expect.stringMatching(/WSL/) });
    expect(checkPlatform("linux")).toBeUndefined();
    expect(checkPlatform("darwin")).toBeUndefined();
  });
});
