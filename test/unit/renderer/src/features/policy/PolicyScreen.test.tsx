// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyScreen } from "../../../../../../renderer/src/features/policy/PolicyScreen.tsx";
import { createTestStore } from "../../../../../support/renderer/helpers.ts";
import { renderWithStore } from "../../../../../support/renderer/render.tsx";

afterEach(cleanup);

const removedLines = () => [...screen.getByLabelText("Prompt text").querySelectorAll('[data-mark="removed"]')].map((line) => line.textContent);

describe("PolicyScreen", () => {
  it("excluding a category takes it out of the prompt inspector, marked against the preset", () => {
    renderWithStore(createTestStore().store, <PolicyScreen />);
    expect(screen.getByLabelText("Prompt text").textContent).toContain("S3: Sex Crimes.");
    expect(removedLines()).toEqual([]);
    fireEvent.click(screen.getByRole("checkbox", { name: "Include S3: Sex Crimes." }));
    expect(removedLines()).toEqual(["−removed by the policy, not in the prompt: S3: Sex Crimes.\n"]);
  });

  it("renaming a category rewrites its prompt line; an empty name is refused without losing the field", () => {
    renderWithStore(createTestStore().store, <PolicyScreen />);
    const name = screen.getByLabelText("Name of S1") as HTMLInputElement;
    fireEvent.change(name, { target: { value: "" } });
    expect(name.value).toBe("");
    expect(screen.getByText("name is empty")).toBeTruthy();
    fireEvent.change(name, { target: { value: "Violence." } });
    expect(screen.getByLabelText("Prompt text").textContent).toContain("S1: Violence.");
  });

  it("says when the family's template fixes its categories, and keeps them as they are; ShieldGemma's prompts show each under its code", () => {
    const { store } = createTestStore();
    store.getState().selectFamily("qwen3guard");
    renderWithStore(store, <PolicyScreen />);
    expect(screen.getByRole("note").textContent).toBe("Qwen3Guard-Gen's categories are fixed by its template: they cannot be changed or excluded. Its policy is the preset.");
    fireEvent.click(screen.getByRole("checkbox", { name: "Include pii: PII." }));
    expect(store.getState().policy.drafts.qwen3guard.categories.every((category) => category.enabled)).toBe(true);
    cleanup();
    store.getState().selectFamily("shieldgemma");
    renderWithStore(store, <PolicyScreen />);
    expect(screen.queryByRole("note")).toBeNull();
    const text = screen.getByLabelText("Prompt text").textContent ?? "";
    expect(text).toContain("[dangerous]");
    expect(text).toContain("[harassment]");
  });

  it("says a model is needed to count tokens", () => {
    renderWithStore(createTestStore().store, <PolicyScreen />);
    expect(screen.getByRole("status", { name: "Token count" }).textContent).toBe("Load a model to count tokens");
  });

  it("adds a custom category with the next free code", () => {
    const { store } = createTestStore();
    renderWithStore(store, <PolicyScreen />);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Medical advice" } });
    fireEvent.click(screen.getByRole("button", { name: "Add category" }));
    expect(screen.getByLabelText("Prompt text").textContent).toContain("S15: Medical advice");
    expect(screen.getByRole("button", { name: "Remove S15" })).toBeTruthy();
  });

  it("edits the OpenAI moderation mapping with the policy: a custom code feeds a key, unknown codes are refused, the default comes back", () => {
    const { store } = createTestStore();
    renderWithStore(store, <PolicyScreen />);
    const mapping = screen.getByRole("table", { name: "OpenAI moderation mapping" });
    const fedBy = (key: string) => [...mapping.querySelectorAll("tbody tr")].find((row) => row.querySelector("th")?.textContent === key)!.lastElementChild!.textContent;
    expect(screen.getByText("the family's default mapping")).toBeTruthy();
    expect(fedBy("harassment")).toBe("unmapped");
    const harassment = screen.getByLabelText("Policy codes for harassment") as HTMLInputElement;
    expect(harassment.value).toBe("");
    fireEvent.change(harassment, { target: { value: "S3, S99" } });
    expect(screen.getByText(/S99 is not a category of this policy/)).toBeTruthy();
    expect(store.getState().policy.drafts[store.getState().policy.family].openaiMapping).toBeUndefined();

    fireEvent.change(harassment, { target: { value: "S3" } });
    const draft = () => store.getState().policy.drafts[store.getState().policy.family];
    // The first edit copies the family's default, so the saved version carries every key it is scored with.
    expect(draft().openaiMapping).toMatchObject({ harassment: ["S3"], hate: ["S10"], violence: ["S1"] });
    expect(screen.getByText("this policy's own mapping")).toBeTruthy();
    expect(fedBy("harassment")).toBe("S3");

    fireEvent.click(screen.getByRole("button", { name: "Use the family default" }));
    expect(draft().openaiMapping).toBeUndefined();
    expect((screen.getByLabelText("Policy codes for harassment") as HTMLInputElement).value).toBe("");
  });
});
