// The workshop's helper: everything a lesson imports comes from here.
// (05-lambda-function/handler.ts imports shared/records.ts alone, so its bundle stays small.)
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
