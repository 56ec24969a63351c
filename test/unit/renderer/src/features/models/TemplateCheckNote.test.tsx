// @vitest-environment jsdom
/**
 * The Engine panel's prompt check (#15.3a): identical says so with a badge; a difference is an alert with both sides
 * where they part; a file without a template says the prompt was not checked, without alarming.
 */
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { TemplateCheckNote } from "../../../../../../renderer/src/features/models/EnginePanel.tsx";
import { modelTemplateCheck, familyOf, familyPresetPolicy } from "../../../../../../shared/families/index.ts";

afterEach(cleanup);

describe("TemplateCheckNote", () => {
  it("shows an identical prompt as checked", () => {
    render(<TemplateCheckNote check={{ status: "identical", compared: 2, summary: "Guardbench's Llama Guard 3 1B prompt is identical to the model's own chat template." }} />);
    const note = screen.getByLabelText("Prompt check");
    expect(note.textContent).toContain("Prompt checked");
    expect(note.textContent).toContain("identical to the model's own chat template");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a difference as an alert, with Guardbench's side and the template's side", () => {
    // A real difference from the real check: a template that renders other text than the builder.
    const check = modelTemplateCheck(familyOf("llama-guard-3-1b"), "{{ 'Task: something else' }}", familyPresetPolicy("llama-guard-3-1b"));
    expect(check.status).toBe("different");
    render(<TemplateCheckNote check={check} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Prompt differs");
    expect(alert.textContent).toMatch(/differs from the model's own chat template for a user prompt/);
    fireEvent.click(screen.getByText("Where they differ"));
    expect(screen.getByText("Guardbench").nextElementSibling?.textContent).toContain(check.difference!.builder);
    expect(screen.getByText("Model's template").nextElementSibling?.textContent).toContain("Task: something else");
  });

  it("says quietly that a file without a template was not checked", () => {
    render(<TemplateCheckNote check={modelTemplateCheck(familyOf("llama-guard-3-1b"), undefined, familyPresetPolicy("llama-guard-3-1b"))} />);
    expect(screen.getByLabelText("Prompt check").textContent).toContain("carries no chat template");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
