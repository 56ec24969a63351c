// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { PolicyScreen } from "../../../renderer/src/features/policy/PolicyScreen.tsx";
import { createTestStore } from "./helpers.ts";
import { renderWithStore } from "./render.tsx";

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
});
