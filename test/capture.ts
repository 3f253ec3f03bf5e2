// Test helper: what a piece of work writes to stdout or stderr, with WORKSHOP_QUIET off.
import { vi } from "vitest";

export async function printedTo(stream: "stdout" | "stderr", work: () => Promise<unknown> | unknown): Promise<string> {
  const quiet = process.env.WORKSHOP_QUIET;
  process.env.WORKSHOP_QUIET = "0";
  const write = vi.spyOn(process[stream], "write").mockImplementation(() => true);
  try {
    await work();
    return write.mock.calls.map(([text]) => String(text)).join("");
  } finally {
    write.mockRestore();
    if (quiet === undefined) delete process.env.WORKSHOP_QUIET;
    else process.env.WORKSHOP_QUIET = quiet;
  }
}
