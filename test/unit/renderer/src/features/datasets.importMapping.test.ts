/** The import wizard's mapping step: label values suggested from the first rows, typed by the user, and previewed. */
import { describe, expect, it } from "vitest";
import { detectColumns } from "../../../../../shared/datasets/index.ts";
import { ok, type DatasetPreviewInfo } from "../../../../../shared/ipc/index.ts";
import { datasetsSelectors } from "../../../../../renderer/src/features/datasets/selectors.ts";
import { createTestStore } from "../../../../support/renderer/helpers.ts";

function csvPreview(labelColumn: string, labels: string[]): DatasetPreviewInfo {
  const columns = ["text", labelColumn];
  return {
    format: "csv",
    columns,
    rows: labels.map((label, index) => ({ text: `prompt ${index + 1}`, [labelColumn]: label })),
    rowNumbers: labels.map((_, index) => index + 1),
    badRows: [],
    detection: detectColumns(columns),
    partial: false,
  };
}

async function previewed(preview: DatasetPreviewInfo) {
  const test = createTestStore({
    "files:allow": ({ path }) => ok({ path, name: path.split("/").pop()!, uploaded: false }),
    "datasets:preview": () => ok(preview),
    "datasets:import": () => ok({ jobId: "job-1" }),
  });
  const { store } = test;
  store.getState().setImportPath("/data/labels.csv");
  await store.getState().previewDataset();
  await store.getState().confirmImportPath();
  return test;
}

describe("label values in the mapping step", () => {
  it("suggests yes/no for a column whose first rows say yes and no, and shows how each row reads", async () => {
    const { store, bridge } = await previewed(csvPreview("is_harmful", ["yes", "no", "No", ""]));
    const state = () => store.getState();
    expect(state().datasets.wizard.mapping).toMatchObject({ prompt: "text", label: "is_harmful", labelValues: { unsafe: ["yes"], safe: ["no"] } });
    expect(datasetsSelectors.previewLabelValues(state())).toEqual([
      { value: "no", count: 2 },
      { value: "", count: 1 },
      { value: "yes", count: 1 },
    ]);
    expect(datasetsSelectors.previewReadings(state()).map(({ row, label, problem }) => ({ row, label, problem }))).toEqual([
      { row: 1, label: "unsafe", problem: undefined },
      { row: 2, label: "safe", problem: undefined },
      { row: 3, label: "safe", problem: undefined },
      { row: 4, label: undefined, problem: undefined },
    ]);
    await state().importDataset();
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "datasets:import", request: { mapping: { label: "is_harmful", labelValues: { unsafe: ["yes"], safe: ["no"] } } } });
  });

  it("turns the pair round for an is_safe column, and swaps it on request", async () => {
    const { store } = await previewed(csvPreview("is_safe", ["yes", "no"]));
    expect(store.getState().datasets.wizard.mapping.labelValues).toEqual({ unsafe: ["no"], safe: ["yes"] });
    store.getState().setLabelValues({ unsafe: ["yes"], safe: ["no"] });
    expect(datasetsSelectors.previewReadings(store.getState()).map((reading) => reading.label)).toEqual(["unsafe", "safe"]);
  });

  it("reads a user-chosen pair as typed, and shows the rows it leaves out with why", async () => {
    const { store } = await previewed(csvPreview("toxicity_label", ["toxic", "ok", "severe", "meh"]));
    // No preset reads these values: the default reading stays, and every row says why it would be skipped.
    expect(store.getState().datasets.wizard.mapping.labelValues).toBeUndefined();
    expect(datasetsSelectors.previewReadings(store.getState()).every((reading) => reading.problem?.includes("map them to unsafe and safe in the mapping step"))).toBe(true);
    store.getState().setLabelValues({ unsafe: [], safe: [] });
    expect(datasetsSelectors.mappingProblems(store.getState())).toContain("label values: name at least one value that means unsafe");
    store.getState().setLabelValueText("unsafe", "toxic, severe");
    store.getState().setLabelValueText("safe", "ok,");
    expect(store.getState().datasets.wizard.mapping.labelValues).toEqual({ unsafe: ["toxic", "severe"], safe: ["ok"] });
    expect(store.getState().datasets.wizard.labelValueText).toEqual({ unsafe: "toxic, severe", safe: "ok," });
    expect(datasetsSelectors.mappingProblems(store.getState())).toEqual([]);
    const readings = datasetsSelectors.previewReadings(store.getState());
    expect(readings.map((reading) => reading.label ?? reading.problem)).toEqual(["unsafe", "safe", "unsafe", expect.stringMatching(/^the label "meh" is none of the mapped values/)]);
  });

  it("keeps the default reading for a column it already reads, and drops label values with the label column", async () => {
    const { store } = await previewed(csvPreview("label", ["unsafe", "safe", "1"]));
    expect(store.getState().datasets.wizard.mapping.labelValues).toBeUndefined();
    store.getState().setLabelValues({ unsafe: ["unsafe"], safe: ["safe"] });
    store.getState().setMappingField("label", undefined);
    expect(store.getState().datasets.wizard.mapping).toEqual({ prompt: "text" });
  });
});
