// @vitest-environment jsdom
/**
 * Deleting a saved policy version (#13.9) from the Policy screen: it asks first (Cancel keeps it), says a version a run
 * used will be hidden, not destroyed, and the list reads the answer of the main side again afterwards.
 */
import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ok, type PolicySummary } from "../../../../../../shared/ipc/index.ts";
import { SavedPolicies } from "../../../../../../renderer/src/features/policy/SavedPolicies.tsx";
import { createTestStore, emptyMachineHandlers, settle } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

function acme(versions: { version: number; runs: number }[]): PolicySummary {
  return {
    name: "Acme",
    family: "llama-guard-3-1b",
    latestVersion: versions.at(-1)?.version ?? 1,
    versions: versions.map(({ version, runs }) => ({ version, runs, savedAt: `2026-12-0${version}T10:00:00Z` })),
  };
}

/** The Policy screen's saved list over a main side holding Acme v1 (used by 2 runs) and v2 (used by none). */
async function openSavedPolicies() {
  let versions = [
    { version: 1, runs: 2 },
    { version: 2, runs: 0 },
  ];
  const { store, bridge } = createTestStore({
    ...emptyMachineHandlers(),
    "policies:list": () => ok({ policies: versions.length ? [acme(versions)] : [] }),
    "policies:delete-version": ({ name, version }: { name: string; version: number }) => {
      const runs = versions.find((entry) => entry.version === version)?.runs ?? 0;
      versions = versions.filter((entry) => entry.version !== version);
      return ok({ name, version, outcome: runs > 0 ? "hidden" : "deleted", runs });
    },
  } as Parameters<typeof createTestStore>[0]);
  store.getState().start();
  await settle();
  renderWithStore(store, <SavedPolicies />);
  return { store, bridge };
}

const deletions = (calls: { channel: string }[]) => calls.filter((call) => call.channel === "policies:delete-version");

describe("a saved policy version's Delete", () => {
  it("asks first; Cancel keeps the version, Delete version removes an unused one", async () => {
    const { bridge } = await openSavedPolicies();
    fireEvent.click(screen.getByRole("button", { name: "Delete Acme version 2" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Acme v2?" });
    expect(dialog.textContent).toContain("This cannot be undone");
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(deletions(bridge.calls)).toEqual([]);

    fireEvent.click(screen.getByRole("button", { name: "Delete Acme version 2" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Delete version" }));
    await settle();
    expect(deletions(bridge.calls)).toEqual([{ channel: "policies:delete-version", request: { name: "Acme", version: 2 } }]);
    expect(screen.queryByRole("button", { name: "Delete Acme version 2" })).toBeNull();
    expect(screen.getByRole("button", { name: "Delete Acme version 1" })).toBeTruthy();
  });

  it("offers to hide, not delete, a version runs used, and says so", async () => {
    const { store, bridge } = await openSavedPolicies();
    fireEvent.click(screen.getByRole("button", { name: "Delete Acme version 1" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Acme v1?" });
    expect(dialog.textContent).toContain("2 runs use this version, so it is hidden instead");
    expect(within(dialog).queryByRole("button", { name: "Delete version" })).toBeNull();
    fireEvent.click(within(dialog).getByRole("button", { name: "Hide version" }));
    await settle();
    expect(deletions(bridge.calls)).toEqual([{ channel: "policies:delete-version", request: { name: "Acme", version: 1 } }]);
    expect(store.getState().app.notice?.message).toContain("Hid Acme v1: 2 runs use it");
    expect(screen.queryByRole("button", { name: "Delete Acme version 1" })).toBeNull();
  });
});
