/** The app itself: version and data folders (handlers: electron/host/handlers/app.ts). */
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

/** Which face the host serves: the desktop window, a browser page over `guardbench serve`, or a CLI command in-process. */
export type HostTransport = "electron" | "websocket" | "cli";

export interface AppInfo {
  name: "guardbench";
  version: string;
  /** GUARDBENCH_HOME, or the Electron app's userData folder */
  home: string;
  modelsDir: string;
  databasePath: string;
  /** how the caller talks to the main side */
  transport: HostTransport;
  platform: string;
  versions: { node: string; electron?: string };
}

export const appChannels = {
  /** version, data folders, transport */
  "app:info": { request: noFields, answer: answer<AppInfo>() },
} as const satisfies ChannelTable;
