// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { heatLevel, TokenHeatMap } from "../../../../../renderer/src/components/TokenHeatMap.tsx";
import { unsafeS3Result } from "../../../../support/renderer/helpers.ts";

afterEach(cleanup);

const { tokens, decisionTokenIndex } = unsafeS3Result();

describe("TokenHeatMap", () => {
  it("names every token with its text and probability, and marks the decision token", () => {
    render(<TokenHeatMap tokens={tokens} decisionTokenIndex={decisionTokenIndex} />);
    expect(screen.getByRole("button", { name: 'Token 2 (decision): "unsafe", p = 0.8000' })).toBeTruthy();
    expect(screen.getByTestId("token-4").getAttribute("aria-label")).toBe('Token 5: "3", p = 0.8176');
  });

  it("shows the top-k alternatives on keyboard focus, described by the token, and hides them on Esc", () => {
    render(<TokenHeatMap tokens={tokens} decisionTokenIndex={decisionTokenIndex} />);
    expect(screen.queryByRole("tooltip")).toBeNull();
    const token = screen.getByTestId("token-4");
    fireEvent.focus(token);
    const tooltip = screen.getByRole("tooltip");
    expect(token.getAttribute("aria-describedby")).toBe(tooltip.id);
    const rows = within(tooltip).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows).toEqual(["30.8176", "10.1824"]);
    fireEvent.keyDown(token, { key: "Escape" });
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("shows them on hover too", () => {
    render(<TokenHeatMap tokens={tokens} decisionTokenIndex={decisionTokenIndex} />);
    fireEvent.mouseEnter(screen.getByTestId("token-1").parentElement!);
    expect(within(screen.getByRole("tooltip")).getByText("safe")).toBeTruthy();
  });

  it("moves between tokens with the arrow keys", () => {
    render(<TokenHeatMap tokens={tokens} decisionTokenIndex={decisionTokenIndex} />);
    const first = screen.getByTestId("token-0");
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowRight" });
    expect(document.activeElement).toBe(screen.getByTestId("token-1"));
  });

  it("colours by probability in ten steps", () => {
    expect([0, 0.05, 0.5, 0.8176, 0.99, 1].map(heatLevel)).toEqual([0, 0, 5, 8, 9, 9]);
  });
});
