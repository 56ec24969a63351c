/** One coded-error base (#12.7): every typed error of the main side is a CodedError, and turns into the envelope's error the same way. */
import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../shared/errors/codedError.ts";
import { DatasetImportError } from "../../../../electron/datasets/import.ts";
import { ExportError } from "../../../../electron/datasets/export.ts";
import { TextFileError } from "../../../../electron/datasets/textFile.ts";
import { EngineError } from "../../../../electron/engine/errors.ts";
import { RemoteEngineError } from "../../../../electron/engine/remote/errors.ts";
import { EndpointError } from "../../../../electron/endpoints/savedEndpoints.ts";
import { toResultError } from "../../../../electron/core/errors.ts";
import { FileAccessError } from "../../../../electron/host/fileAccess.ts";
import { DownloadError } from "../../../../electron/models/downloadError.ts";
import { RunError, RunStopped } from "../../../../electron/runs/errors.ts";
import { FileHashError } from "../../../../electron/core/fileHash.ts";
import { StoreError } from "../../../../electron/store/errors.ts";

describe("CodedError", () => {
  it("is the base of every typed error, each named after its class", () => {
    const errors = [
      new EngineError("model-not-found", "m"),
      new StoreError("not-found", "m"),
      new RunError("dataset-empty", "m"),
      new FileHashError("file-missing", "m"),
      new FileAccessError("not-granted" as never, "m"),
      new DatasetImportError("no-items", "m"),
      new ExportError("m"),
      new TextFileError("not-utf8" as never, "m"),
      new DownloadError("network" as never, "m"),
      new RemoteEngineError("unreachable" as never, "m"),
      new EndpointError("endpoint-not-found", "m"),
      new RunStopped({ code: "no-endpoint-available", message: "m" }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(CodedError);
      expect(error.name).toBe(error.constructor.name);
      expect(toResultError(error, "testing").code).toBe(error.toData().code);
    }
  });

  it("gives code, message, hint and only non-empty details", () => {
    expect(new CodedError("x-y", "what went wrong", "what to do").toData()).toEqual({ code: "x-y", message: "what went wrong", hint: "what to do" });
    expect(new CodedError("x-y", "m", undefined, {}).toData()).toEqual({ code: "x-y", message: "m" });
    expect(new DatasetImportError("bad-row" as never, "m", "h", 12).toData()).toEqual({ code: "bad-row", message: "m", hint: "h", details: { line: 12 } });
    expect(new DownloadError("network" as never, "m", undefined, { url: "u" } as never).toData()).toMatchObject({ details: { url: "u" } });
    expect(new CodedError("x-y", "m", "h").toText()).toBe("m\nh");
  });

  it("keeps the job vocabulary: an aborted import is cancelled; an ExportError says what to check; a plain Error is a bug", () => {
    expect(toResultError(new DatasetImportError("aborted", "stopped"), "importing").code).toBe("cancelled");
    expect(toResultError(new ExportError("disk full"), "exporting")).toEqual({ code: "export-failed", message: "disk full", hint: "Check that the folder exists and is writable, then export again." });
    const stopReason = { code: "engine-crashed", message: "the engine stopped", hint: "h", details: { at: 3 } };
    expect(toResultError(new RunStopped(stopReason), "running")).toEqual(stopReason);
    expect(toResultError(new Error("boom"), "exporting")).toMatchObject({ code: "internal-error", message: "exporting failed unexpectedly: boom" });
  });
});
