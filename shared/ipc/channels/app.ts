/** The app itself: version and data folders (handlers: electron/host/handlers/app.ts). */
import { answer, type ChannelTable } from "./channel.ts";
import { noFields } from "./fields.ts";

export interface AppInfo {
  name: "guardbench";
  version: string;
  /** GUARDBENCH_HOME, or the Electron app's userData folder */
  home: string;
  modelsDir: string;
  databasePath: string;
  /** how this renderer talks to the main side */
  transport: "electron" | "websocket";
  platform: string;
  versions: { node: string; electron?: string };
}

export const appChannels = {
  /** version, data folders, transport */
  "app:info": { request: noFields, answer: answer<AppInfo>() },
} as const satisfies ChannelTable;
