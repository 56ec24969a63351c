// @vitest-environment jsdom
/** The Datasets screen shows imports an earlier session could not finish (killed, disk full) until they are dismissed. */
import { act, cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type FailedImportInfo, type Req } from "../../../../../shared/ipc/index.ts";
import { DatasetsScreen } from "../../../../../renderer/src/features/datasets/DatasetsScreen.tsx";
import { createTestStore, emptyMachineHandlers, settle } from "../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../support/renderer/render.tsx";

afterEach(cleanup);

const failed: FailedImportInfo = {
  datasetId: 4,
  name: "big",
  sourcePath: "/data/big.jsonl",
  startedAt: "2026-01-01T10:00:00Z",
  failedAt: "2026-01-01T11:00:00Z",
  reason: "The import did not finish: the process importing it ended (it was closed or killed, or the disk was full). The 1000 item(s) it had written were removed. Import the file again.",
};

describe("failed imports", () => {
  it("are shown with their reason, and Dismiss forgets them", async () => {
    let listed = [failed];
    const dismissed: number[] = [];
    const { store } = createTestStore({
      ...emptyMachineHandlers(),
      "datasets:list": () => ok({ datasets: [], demos: [], failedImports: listed }),
      "datasets:dismiss-failed-import": ({ datasetId }: Req<"datasets:dismiss-failed-import">) => {
        dismissed.push(datasetId);
        listed = [];
        return ok({ dismissed: true });
      },
    });
    renderWithStore(store, <DatasetsScreen />);
    await act(async () => {
      await store.getState().refreshDatasets();
    });
    const group = screen.getByRole("group", { name: "Failed imports" });
    expect(within(group).getByRole("alert").textContent).toContain("The import of big");
    expect(within(group).getByRole("alert").textContent).toContain("The 1000 item(s) it had written were removed");
    await act(async () => {
      fireEvent.click(within(group).getByRole("button", { name: "Dismiss the failed import of big" }));
      await settle();
    });
    expect(dismissed).toEqual([4]);
    expect(screen.queryByRole("group", { name: "Failed imports" })).toBeNull();
  });
});
