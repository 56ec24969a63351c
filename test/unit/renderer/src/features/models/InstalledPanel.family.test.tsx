// @vitest-environment jsdom
/**
 * An installed model of a guard family the engine cannot score yet (#15.4): the Models screen names the family and
 * says so, where a file with no detected family just asks for its prompt format.
 */
import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type ModelSummary } from "../../../../../../shared/ipc/index.ts";
import type { ModelFileInfo } from "../../../../../../shared/models/modelInfo.ts";
import { InstalledPanel } from "../../../../../../renderer/src/features/models/InstalledPanel.tsx";
import { createTestStore, emptyMachineHandlers } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

const info = (fileName: string, extra: Partial<ModelFileInfo>): ModelFileInfo => ({
  path: `/models/local/${fileName}`,
  fileName,
  fileSizeBytes: 1000,
  ggufVersion: 3,
  architecture: "gemma2",
  parameterCount: 2e9,
  quantType: "Q8_0",
  tensorDataBytes: 900,
  hasChatTemplate: true,
  warnings: [],
  ...extra,
});

const model = (fileName: string, extra: Partial<ModelFileInfo>): ModelSummary => ({ id: `local/${fileName}`, path: `/models/local/${fileName}`, fileName, origin: "imported", sizeBytes: 1000, info: info(fileName, extra) });

describe("InstalledPanel and a model's guard family", () => {
  it("names a family Guardbench cannot score yet, and not one it can or none", async () => {
    const models = [
      model("shieldgemma-2b.gguf", { guardFamily: { family: "shieldgemma", name: "ShieldGemma", reason: "chat template is the ShieldGemma one", scorable: false } }),
      model("mystery.gguf", {}),
    ];
    const { store } = createTestStore({ ...emptyMachineHandlers(), "models:list": () => ok({ models, modelsDir: "/models" }) } as Parameters<typeof createTestStore>[0]);
    await store.getState().refreshLibrary();
    renderWithStore(store, <InstalledPanel />);
    const note = screen.getByRole("note", { name: "Family of shieldgemma-2b.gguf" });
    expect(note.textContent).toContain("This is a ShieldGemma model (chat template is the ShieldGemma one). Guardbench cannot score ShieldGemma yet");
    expect(screen.queryByRole("note", { name: "Family of mystery.gguf" })).toBeNull();
  });
});
