import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".workshop/**"],
    // Lessons print for students; the tests only read their summaries.
    // (The SDK's Node 20 notice is switched off in shared/clients.ts; test files that import the SDK first would print it.)
    env: { WORKSHOP_QUIET: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration files each start their own emulator; two cores, so two at a time.
    maxWorkers: 2,
  },
});
