import { describe, expect, it } from "vitest";
import type { Platform } from "../shared/processes.js";
import { commandLineQuery } from "./pid-check.js";

describe.each<Platform>(["linux", "darwin", "win32"])("on %s", (platform) => {
  it("asks the system for a process's command line", () => {
    const query = commandLineQuery(7, platform);
    if (platform === "win32") expect(query.args.join(" ")).toContain('Win32_Process -Filter "ProcessId=7"');
    else expect(query).toEqual({ command: "ps", args: ["-p", "7", "-o", "command="] });
  });
});
