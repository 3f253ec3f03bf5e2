import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The integration files that take longest, about longest first (as measured on a 2-core
 * machine), the ones that mostly wait (the event source mapping's minute of retries) between
 * the ones that keep both cores busy. Started first, they finish alongside the short ones
 * instead of after them. vitest would order by the last run's times, but a fresh checkout
 * (CI) has none and goes by file size.
 */
const LONGEST = [
  "test/questions.int.test.ts",
  "test/no-loss.int.test.ts",
  "test/event-source-mapping.int.test.ts",
  "test/conformance-kinesis-mock.int.test.ts",
  "test/bench.int.test.ts",
  "test/kcl.int.test.ts",
  "test/workshop.int.test.ts",
  "test/view.int.test.ts",
  "test/kcl-http1.int.test.ts",
  "test/laptop.int.test.ts",
  "local/endpoint.int.test.ts",
  "test/conformance.int.test.ts",
  "test/security.int.test.ts",
  "test/bad-input.int.test.ts",
  "test/lessons.int.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = LONGEST.findIndex((name) => file.moduleId.endsWith(name));
      return at < 0 ? LONGEST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)); // stable: the rest keep vitest's order
  }
}

const exclude = ["node_modules/**", ".workshop/**"];

export default defineConfig({
  test: {
    // Lessons print for students; the tests only read their summaries.
    // (The SDK's Node 20 notice is switched off in shared/clients.ts; test files that import the SDK first would print it.)
    env: { WORKSHOP_QUIET: "1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Integration files each start their own emulator, and mostly wait on it, on Java and on
    // timers: with two at a time a 2-core machine was busy 0.9 cores on average, with four
    // about 1.5. Five at a time were slower than four, and a Lambda test ran out of time.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    projects: [
      // npm run test:unit — seconds, no emulator, Python or Java: mocked clients and pure functions.
      // They keep no state between files, so each worker loads the SDK once for all its files
      // (isolate: false): half the time. A file that mocks a module loads its subject afresh.
      {
        extends: true,
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...exclude, "**/*.int.test.ts"], isolate: false },
      },
      // npm run test:int — each file starts a real MiniStack (and Java for the KCL) of its own.
      { extends: true, test: { name: "int", include: ["**/*.int.test.ts"], exclude } },
    ],
  },
});
