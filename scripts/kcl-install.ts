// npm run kcl:install — fetch the KCL MultiLangDaemon jars for lesson 04 (CI runs this).
import { ensureKclJars, findJava } from "../04-kcl-consumer/kcl-jars.js";
import { report } from "../shared/output.js";
import { runScript } from "../shared/run.js";

export const kclInstall = {
  usage: "npm run kcl:install --",
  about: "Fetch the KCL MultiLangDaemon's jars into .workshop/kcl-jars (once; lesson 04 does it on its first run too).",
  flags: {},
};

runScript(
  import.meta.url,
  kclInstall,
  async () => {
    findJava();
    report(`${(await ensureKclJars()).length} KCL jars in .workshop/kcl-jars`);
  },
  { prepare: false },
);
