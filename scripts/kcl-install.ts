// npm run kcl:install — fetch the KCL MultiLangDaemon jars for lesson 04 (CI runs this).
import { ensureKclJars, findJava } from "../shared/kcl.js";
import { reportFailure } from "../shared/run.js";

try {
  findJava();
  console.log(`${ensureKclJars().length} KCL jars in .workshop/kcl-jars`);
} catch (error) {
  reportFailure(error, { target: "local", stream: "" });
}
