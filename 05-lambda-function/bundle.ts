// Packaging a Lambda handler: esbuild bundles the TypeScript handler and everything
// it imports (AWS SDK clients included) into one index.js, and fflate zips it. The
// zip is the same bytes for the same code, so an unchanged handler is not re-uploaded.
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { zipSync } from "fflate";

export interface LambdaPackage {
  zip: Uint8Array;
  /** Base64 SHA-256 of the zip: what Lambda reports as CodeSha256. */
  sha256: string;
  bundleBytes: number;
}

/**
 * Bundle `entry` (a .ts file URL) for the nodejs24.x runtime and zip it as index.js. The target
 * stays node22, so the same bundle also runs on the older Node.js that runs it on an emulator.
 */
export async function packageLambdaHandler(entry: URL): Promise<LambdaPackage> {
  const result = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: false,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  // A fixed timestamp keeps the zip identical from one build to the next.
  const zip = zipSync({ "index.js": [code, { mtime: new Date("2026-01-01T00:00:00Z") }] });
  return { zip, sha256: createHash("sha256").update(zip).digest("base64"), bundleBytes: code.byteLength };
}
