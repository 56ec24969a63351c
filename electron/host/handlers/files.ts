/** Choosing files: the desktop dialog, a path confirmed in the browser page, and uploads (see ../fileAccess.ts). */
import { err, ok } from "../../../shared/ipc/result.ts";
import type { HandlerGroup } from "../handlerTable.ts";
import type { HostServices } from "../services.ts";

export function fileHandlers(services: HostServices): HandlerGroup {
  const { files } = services;
  return {
    name: "files",
    handlers: {
      "files:pick": async ({ purpose, suggestedName }) => {
        if (!services.pickFile) {
          return err("file-dialog-unavailable", "there is no file dialog in the browser version of Guardbench", "Upload the file, or type its full path and confirm it.");
        }
        const picked = await services.pickFile({ purpose, ...(suggestedName ? { suggestedName } : {}) });
        return ok(picked === undefined ? {} : { file: await files.allow(picked, purpose) });
      },

      "files:allow": async ({ path, purpose }) => {
        // The desktop page has the native dialog: a typed path there would let a compromised page name any file.
        if (services.transport === "electron") return err("use-file-dialog", "the desktop app takes files from its file dialog only", "Use Choose file… to pick the file.");
        return ok(await files.allow(path, purpose));
      },

      "files:drop": async ({ path, purpose }) => {
        // The preload sends this with the path Electron knows for the dropped file; a browser page uploads instead.
        if (services.transport !== "electron") return err("use-upload", "a dropped file reaches the browser version of Guardbench as an upload", "Drop it again: the page uploads it.");
        return ok(await files.allow(path, purpose));
      },

      "files:upload-begin": async ({ name, sizeBytes }) => ok({ uploadId: await files.beginUpload(name, sizeBytes) }),

      "files:upload-chunk": async ({ uploadId, offset, data }) => ok({ received: await files.appendUpload(uploadId, offset, Buffer.from(data, "base64")) }),

      "files:upload-finish": async ({ uploadId }) => ok(await files.finishUpload(uploadId)),

      "files:upload-cancel": async ({ uploadId }) => ok({ cancelled: await files.cancelUpload(uploadId) }),
    },
  };
}
