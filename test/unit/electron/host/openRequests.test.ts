import { describe, expect, it } from "vitest";
import { modelFilesIn, OpenRequestQueue } from "../../../../electron/host/openRequests.ts";

describe("model files the OS opens Guardbench with", () => {
  it("are the .gguf arguments, made absolute against the launching folder, without flags or repeats", () => {
    const argv = ["--no-sandbox", "models/Guard.Q8_0.GGUF", "/data/other.gguf", "notes.txt", "--flag=x.gguf", "/data/other.gguf", "."];
    expect(modelFilesIn(argv, "/home/ana")).toEqual(["/home/ana/models/Guard.Q8_0.GGUF", "/data/other.gguf"]);
    expect(modelFilesIn([], "/")).toEqual([]);
  });

  it("wait for a receiver, then go to it in order, later ones at once", () => {
    const queue = new OpenRequestQueue();
    queue.add(["/a.gguf", "/b.gguf", "/a.gguf"]);
    expect(queue.waiting).toBe(2);
    const received: string[] = [];
    const detach = queue.attach((path) => received.push(path));
    expect(received).toEqual(["/a.gguf", "/b.gguf"]);
    expect(queue.waiting).toBe(0);
    queue.add(["/c.gguf"]);
    expect(received).toEqual(["/a.gguf", "/b.gguf", "/c.gguf"]);

    // With the receiver gone (a closed window), they wait again.
    detach();
    queue.add(["/d.gguf"]);
    expect(received).toHaveLength(3);
    expect(queue.waiting).toBe(1);
  });
});
