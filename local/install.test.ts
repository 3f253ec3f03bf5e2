import { describe, expect, it } from "vitest";
import type { Platform } from "../shared/processes.js";
import { defaultPython, venvPython } from "./install.js";

const PLATFORMS: Platform[] = ["linux", "darwin", "win32"];

describe.each(PLATFORMS)("on %s", (platform) => {
  const windows = platform === "win32";

  it("finds the virtualenv's Python where that platform keeps it, and names the system Python", () => {
    if (windows) {
      expect(venvPython("C:\\Users\\Jane Doe\\ws\\.workshop\\venv", platform)).toBe(
        "C:\\Users\\Jane Doe\\ws\\.workshop\\venv\\Scripts\\python.exe",
      );
      expect(defaultPython(platform)).toBe("python");
    } else {
      expect(venvPython("/Users/jane/AWS Workshop/.workshop/venv", platform)).toBe(
        "/Users/jane/AWS Workshop/.workshop/venv/bin/python",
      );
      expect(defaultPython(platform)).toBe("python3");
    }
  });
});
