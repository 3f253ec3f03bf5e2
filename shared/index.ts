// The workshop's helper: everything a lesson imports comes from here.
export * from "./clients.js";
export * from "./errors.js";
export * from "./options.js";
export * from "./output.js";
export * from "./records.js";
export * from "./run.js";
export { MINISTACK_VERSION } from "./emulator.js";
