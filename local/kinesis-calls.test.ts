import { describe, expect, it } from "vitest";
import { inParts } from "./kinesis-calls.js";

describe("a PutRecords larger than MiniStack takes", () => {
  it("is passed on in parts, in order, none over the limit unless one record alone is", () => {
    const sizes = [3, 3, 3, 5, 1, 9];
    expect(inParts([0, 1, 2, 3, 4, 5], (i) => sizes[i]!, 6)).toEqual([[0, 1], [2], [3, 4], [5]]);
    expect(inParts([], () => 1, 6)).toEqual([]);
    expect(inParts([0, 2], (i) => sizes[i]!, 100)).toEqual([[0, 2]]);
  });
});
