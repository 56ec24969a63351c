import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes `data` to a fresh 0600 file (in a 0700 folder) and renames it into place: no other user can ever catch the
 * secret in a readable file, even halfway through a write, and a crash leaves the old file or the new one.
 */
export async function writePrivateFile(filePath: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(filePath), { recursive: true, mode: 0o700 });
  const temporary = `${filePath}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    // The creation mode is filtered by the umask; chmod makes 0600 exact (and never wider).
    await handle.chmod(0o600);
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, filePath);
  await chmod(filePath, 0o600);
}
