// The files around the lessons: the GitHub workflow and the docker-compose recipes.
// .ci/run installs actionlint and a docker compose and sets WORKSHOP_REQUIRE_TOOLS=1,
// so in CI these checks run; on a laptop without the tools they are skipped, not passed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, WORKSHOP_DIR } from "../shared/paths.js";

const required = process.env.WORKSHOP_REQUIRE_TOOLS === "1";
const WORKFLOW = join(PROJECT_ROOT, ".github", "workflows", "smoke.yml");
const ACTIONLINT = join(WORKSHOP_DIR, "bin", "actionlint");

/** `docker compose` (v2) or `docker-compose` (v1), whichever runs here. */
function composeCommand(): string[] | undefined {
  for (const command of [["docker", "compose"], ["docker-compose"]]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), "version"], { encoding: "utf8" });
    if (!probe.error && probe.status === 0) return command;
  }
  return undefined;
}
const compose = composeCommand();

describe("the GitHub workflow", () => {
  it.skipIf(!required && !existsSync(ACTIONLINT))("passes actionlint", () => {
    const result = spawnSync(ACTIONLINT, ["-color=false", WORKFLOW], { encoding: "utf8" });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("runs every lesson in order, then cleanup, and checks nothing is left", () => {
    const text = readFileSync(WORKFLOW, "utf8");
    const steps = [...text.matchAll(/run: npm run (?:-s )?(lesson:0\d|cleanup)/g)].map((m) => m[1]);
    expect(steps).toEqual(["lesson:01", "lesson:02", "lesson:03", "lesson:04", "lesson:05", "cleanup", "cleanup"]);
    expect(text).toContain("secrets.LOCALSTACK_AUTH_TOKEN");
    expect(text).toContain("WORKSHOP_TARGET=localstack");
    expect(text).toContain('WORKSHOP_TARGET=local"');
    expect(text).toMatch(/path: work space\/\.workshop\/kcl-jars/);
  });

  it("runs the lessons on Linux, macOS and Windows, on Node 22 and 24, from a folder with a space in its name", () => {
    const text = readFileSync(WORKFLOW, "utf8");
    expect(text).toContain("os: [ubuntu-24.04, macos-15, windows-2025]");
    expect(text).toContain("node: [22, 24]");
    expect(text).toContain("working-directory: work space");
    // Only Windows may fail without failing the workflow: the README calls it unsupported.
    const onWindowsOnly = "continue-on-error: $" + "{{ matrix.os == 'windows-2025' }}"; // the workflow's own syntax, not a template
    expect(text.match(/continue-on-error: .*/g)).toEqual([onWindowsOnly]);
    expect(readFileSync(join(PROJECT_ROOT, "README.md"), "utf8")).toMatch(
      /Windows \(native\)[^|]*\|[^|]*not supported/,
    );
  });
});

describe("docker-compose.yml", () => {
  it.skipIf(!required && !compose)(
    "is valid for both profiles, each bound to 127.0.0.1:4566 with a pinned image",
    () => {
      for (const profile of ["localstack", "ministack"]) {
        const result = spawnSync(compose![0]!, [...compose!.slice(1), "--profile", profile, "config"], {
          cwd: PROJECT_ROOT,
          encoding: "utf8",
          env: { ...process.env, LOCALSTACK_AUTH_TOKEN: "" },
        });
        expect(result.stderr).not.toMatch(/error|invalid/i);
        expect(result.status).toBe(0);
      }
      const text = readFileSync(join(PROJECT_ROOT, "docker-compose.yml"), "utf8");
      expect(text.match(/- "127\.0\.0\.1:4566:4566"/g)).toHaveLength(2);
      const images = [...text.matchAll(/image: (\S+)/g)].map((m) => m[1]);
      expect(images).toHaveLength(2);
      for (const image of images) expect(image).toMatch(/:\d+\.\d+\.\d+$/); // a version, never :latest
      expect(text).toContain(
        `ministackorg/ministack:${readFileSync(join(PROJECT_ROOT, "local", "install.ts"), "utf8").match(/MINISTACK_VERSION = "([^"]+)"/)![1]}`,
      );
    },
  );
});
