/**
 * Files the user chose (handlers: electron/host/handlers/files.ts). Every channel that reads or writes a file the user
 * names (datasets:preview, datasets:import, datasets:export, models:import) takes only a path granted by one of these in
 * this session, never one of Guardbench's own files (its keys, token, database, anything in its data folder but
 * uploads), and never a special file (a FIFO, a device, a socket, /proc or /sys).
 */
import { z } from "zod";
import { answer, type ChannelTable } from "./channel.ts";
import { filePathSchema } from "./fields.ts";

/** What a chosen file is for: the open dialog's filters and the access the grant gives (read, or write for export). */
export const FILE_PURPOSES = ["dataset", "model", "export"] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];
const filePurposeSchema = z.enum(FILE_PURPOSES, { error: `purpose must be one of ${FILE_PURPOSES.join(", ")}` });
const readPurposeSchema = z.enum(["dataset", "model"], { error: "purpose must be dataset or model (uploads are read, never written to)" });
const uploadIdSchema = z.string({ error: "uploadId must be the id files:upload-begin answered" }).min(1).max(100);
/** The largest upload chunk, in bytes before base64 (the WebSocket carries at most a few of them at once). */
export const MAX_UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;
/** The largest file the page may upload: far beyond any moderation dataset, and under the disk check's margin. */
export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

/** A file the user chose, as Guardbench will read (or write) it. */
export interface ChosenFile {
  /** absolute, as the user named it: pass it to the channel that reads (or writes) the file */
  path: string;
  /** the file name to show (an upload's original name) */
  name: string;
  /** read purposes: the file's size */
  sizeBytes?: number;
  /** true for a file the page uploaded (stored in Guardbench's data folder until it is imported) */
  uploaded: boolean;
}

export const fileChannels = {
  /**
   * The desktop app's native open (or, for `export`, save) dialog; `file` is absent when the user cancelled. Answers
   * `file-dialog-unavailable` in a browser (`guardbench serve`): upload the file, or type its path and confirm it
   * (`files:allow`).
   */
  "files:pick": {
    request: z.strictObject({ purpose: filePurposeSchema, suggestedName: z.string().min(1).max(255).optional() }),
    answer: answer<{ file?: ChosenFile }>(),
  },
  /**
   * Browser mode (`guardbench serve`): a path the user typed and then confirmed in the page. Answers the file as it
   * will be read (or, for `export`, written), or why it cannot be. The desktop app refuses it (`use-file-dialog`).
   */
  "files:allow": { request: z.strictObject({ path: filePathSchema, purpose: filePurposeSchema }), answer: answer<ChosenFile>() },
  /**
   * Browser mode: the page uploads a file the user picked with the browser's file input, in chunks of at most
   * MAX_UPLOAD_CHUNK_BYTES sent in order (`offset` = bytes sent before). Stored privately in Guardbench's data folder,
   * it is granted like a chosen file once `files:upload-finish` answers; an upload not finished is deleted.
   */
  "files:upload-begin": {
    request: z.strictObject({
      name: z.string().trim().min(1, "the file name is empty").max(255),
      sizeBytes: z.number().int().min(0).max(MAX_UPLOAD_BYTES, `an upload may hold at most ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB`),
      purpose: readPurposeSchema,
    }),
    answer: answer<{ uploadId: string }>(),
  },
  "files:upload-chunk": {
    request: z.strictObject({
      uploadId: uploadIdSchema,
      offset: z.number().int().min(0),
      /** the bytes, base64 */
      data: z
        .string()
        .max(Math.ceil(MAX_UPLOAD_CHUNK_BYTES / 3) * 4, `a chunk holds at most ${MAX_UPLOAD_CHUNK_BYTES / 1024 ** 2} MiB`)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, "data must be base64"),
    }),
    answer: answer<{ received: number }>(),
  },
  "files:upload-finish": { request: z.strictObject({ uploadId: uploadIdSchema }), answer: answer<ChosenFile>() },
  "files:upload-cancel": { request: z.strictObject({ uploadId: uploadIdSchema }), answer: answer<{ cancelled: boolean }>() },
  /**
   * Desktop only, and only from the preload (the page cannot send it): a file the user dropped on the window, named by
   * the path Electron gives the dropped File (webUtils.getPathForFile). Granted like a file chosen in the dialog.
   */
  "files:drop": { request: z.strictObject({ path: filePathSchema, purpose: readPurposeSchema }), answer: answer<ChosenFile>() },
} as const satisfies ChannelTable;
