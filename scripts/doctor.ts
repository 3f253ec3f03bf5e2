// npm run doctor: is this laptop ready for the workshop? (The original tutorial's lesson zero.)
//
//   npm run doctor [-- --target local|localstack|aws]
//
// One line per check: ✓ fine, ✗ must be fixed (with the fix), – nothing to do yet.
// Exits 1 when any check failed. Starts nothing and creates nothing.
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { howToStart } from "../shared/errors.js";
import { findRunningEmulator } from "../local/emulator.js";
import { installedVersion, MINISTACK_VERSION, probePython, pythonFix } from "../local/install.js";
import { javaFix, kclJarsInstalled, kclVersion, probeJava } from "../04-kcl-consumer/kcl-jars.js";
import { currentPlatform, type Platform } from "../shared/processes.js";
import { defineFlags, type TargetOptions } from "../shared/options.js";
import { printJson, report } from "../shared/output.js";
import { runScript } from "../shared/run.js";
import { awsAccount, endpointAnswers } from "../shared/prepare-target.js";

export const doctor = {
  usage: "npm run doctor --",
  about: "Check Node.js, your AWS credentials file, Java, Python and the target's endpoint. Changes nothing.",
  flags: defineFlags({}),
};

export interface Check {
  /** true ✓, false ✗, undefined – (nothing to do yet, or not needed on this target) */
  ok: boolean | undefined;
  what: string;
  /** For ✗ and –: what to do. */
  fix?: string;
}

/** Node.js 22 and 24 are the supported releases; 20 still runs the workshop, but reached end of life on 2026-04-30. */
export function checkNode(version = process.versions.node): Check {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major >= 22) return { ok: true, what: `Node.js ${version}` };
  if (major === 20 && minor >= 11) {
    return {
      ok: undefined,
      what: `Node.js ${version} reached end of life on 2026-04-30`,
      fix: "it still runs the workshop; install Node.js 22 or 24 (LTS)",
    };
  }
  return { ok: false, what: `Node.js ${version} is too old`, fix: "install Node.js 22 or 24 (LTS)" };
}

/** The shared credentials file must be readable by you alone: it holds a secret key. */
export function checkCredentialsFile(target: string, env: NodeJS.ProcessEnv = process.env): Check {
  const file = env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), ".aws", "credentials");
  if (!existsSync(file)) {
    return target === "aws"
      ? {
          ok: undefined,
          what: `no credentials file at ${file}`,
          fix: "fine with SSO (aws sso login), environment variables or an instance role; else run 'aws configure'",
        }
      : { ok: undefined, what: `no credentials file at ${file}`, fix: `not needed for --target ${target}` };
  }
  const mode = statSync(file).mode & 0o777;
  const octal = mode.toString(8).padStart(3, "0");
  if (mode & 0o077) {
    return { ok: false, what: `${file} can be read by other users (mode ${octal})`, fix: `chmod 600 ${file}` };
  }
  return { ok: true, what: `${file} is private (mode ${octal})` };
}

export function checkJava(): Check {
  const java = probeJava();
  if (!java.version)
    return {
      ok: false,
      what: `no Java found as '${java.command}' (lesson 04 runs the KCL daemon on it)`,
      fix: javaFix(),
    };
  const jars = kclJarsInstalled()
    ? `, KCL ${kclVersion()} jars in .workshop/kcl-jars`
    : "; the KCL jars are fetched on lesson 04's first run (or now: npm run kcl:install)";
  return { ok: true, what: `Java ${java.version} for lesson 04${jars}` };
}

export function checkPython(target: string): Check {
  const python = probePython();
  if (python.supported) {
    const installed = installedVersion();
    const emulator =
      installed === MINISTACK_VERSION
        ? `, MiniStack ${installed} installed`
        : "; MiniStack is installed on the first lesson (or now: npm run emulator:install)";
    return { ok: true, what: `Python ${python.version} for the local emulator${emulator}` };
  }
  const found = python.version ? `Python ${python.version} is too old` : `no Python found as '${python.command}'`;
  // Only the local target runs an emulator of ours.
  return {
    ok: target === "local" ? false : undefined,
    what: `${found} (the local emulator needs 3.10+)`,
    fix: pythonFix(),
  };
}

/** Linux and macOS run the workshop natively; on Windows, WSL is the tried way. */
export function checkPlatform(platform: Platform = currentPlatform()): Check | undefined {
  if (platform !== "win32") return undefined;
  return {
    ok: undefined,
    what: "Windows (native): lessons 01–05 are written to run here, but it is not a supported system yet",
    fix: "if a lesson fails, run the workshop in WSL (Ubuntu): wsl --install, then clone and npm install there",
  };
}

export async function checkEndpoint(options: TargetOptions): Promise<Check> {
  if (options.target === "aws") {
    try {
      const account = await awsAccount(options);
      return {
        ok: true,
        what: `AWS account ${account} in region ${options.region}: lessons will create (and bill) resources there`,
      };
    } catch (error) {
      const message = (error as Error).message;
      if (!options.region)
        return { ok: false, what: "no AWS region set", fix: message.replace(/^no AWS region set: /, "") };
      return { ok: false, what: "AWS could not say who you are (sts:GetCallerIdentity failed)", fix: message };
    }
  }
  const endpoint = options.endpoint!;
  if (options.target === "local") {
    try {
      const running = await findRunningEmulator(Number(new URL(endpoint).port));
      if (running) return { ok: true, what: `MiniStack ${running.version} answers on ${endpoint}` };
    } catch (error) {
      // Something else holds the port, or another MiniStack version: the lessons would refuse it too.
      return {
        ok: false,
        what: `${endpoint} answers, but not with the workshop's MiniStack ${MINISTACK_VERSION}`,
        fix: (error as Error).message,
      };
    }
    return {
      ok: undefined,
      what: `nothing answers on ${endpoint} yet`,
      fix: "the first lesson starts the emulator (or now: npm run emulator:start)",
    };
  }
  return (await endpointAnswers(endpoint))
    ? { ok: true, what: `${endpoint} answers` }
    : { ok: false, what: `nothing answers on ${endpoint}`, fix: howToStart("localstack") };
}

export async function runChecks(options: TargetOptions): Promise<Check[]> {
  const platform = checkPlatform();
  return [
    ...(platform ? [platform] : []),
    checkNode(),
    checkCredentialsFile(options.target),
    checkJava(),
    checkPython(options.target),
    await checkEndpoint(options),
  ];
}

export function formatCheck(check: Check): string {
  const mark = check.ok === true ? "✓" : check.ok === false ? "✗" : "–";
  return `${mark} ${check.what}${check.fix ? `\n    → ${check.fix}` : ""}`;
}

runScript(
  import.meta.url,
  doctor,
  async (options) => {
    report(`Checking this machine for --target ${options.target}:`);
    const checks = await runChecks(options);
    for (const check of checks) report(formatCheck(check));
    const failed = checks.filter((c) => c.ok === false).length;
    report(
      failed
        ? `\n${failed} check(s) failed: fix them, then run npm run doctor again.`
        : "\nReady: npm start, or npm run lesson:01.",
    );
    if (options.json) printJson({ ok: failed === 0, target: options.target, checks });
    if (failed) process.exitCode = 1;
  },
  { prepare: false }, // the doctor looks at the target; it never starts or changes it
);
