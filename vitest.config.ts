import { defineConfig } from "vitest/config";

const exclude = ["node_modules/**", ".workshop/**"];

export default defineConfig({
  test: {
    // Lessons print for students; the tests only read their summaries.
    // (The SDK's Node 20 notice is switched off in shared/clients.ts; test files that import the SDK first would print it.)
    env: { WORKSHOP_QUIET: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration files each start their own emulator, and mostly wait on it, on Java and on
    // timers: with two at a time a 2-core machine was busy 0.9 cores on average. So four at a time.
    maxWorkers: 4,
    projects: [
      // npm run test:unit — seconds, no emulator, Python or Java: mocked clients and pure functions.
      { extends: true, test: { name: "unit", include: ["**/*.test.ts"], exclude: [...exclude, "**/*.int.test.ts"] } },
      // npm run test:int — each file starts a real MiniStack (and Java for the KCL) of its own.
      { extends: true, test: { name: "int", include: ["**/*.int.test.ts"], exclude } },
    ],
  },
});
