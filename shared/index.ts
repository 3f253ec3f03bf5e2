// The workshop's helper: everything a lesson's main.ts imports comes from here. Other lesson files may import
// one file directly: processes.ts is not here, and 05's handler.ts takes records.ts alone (a small bundle).
export * from "./clients.js";
export * from "./costs.js";
export * from "./errors.js";
export * from "./options.js";
export * from "./targets.js";
export * from "./output.js";
export * from "./records.js";
export * from "./run.js";
export * from "./wait.js";
export { PROJECT_ROOT, WORKSHOP_DIR } from "./paths.js";
