import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".workshop/**"],
    // Lessons print for students; the tests only read their summaries.
    env: { WORKSHOP_QUIET: "1" },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration files each start their own emulator; two cores, so two at a time.
    maxWorkers: 2,
  },
});
