/**
 * A multi-run (#15.5) in the real UI against `guardbench serve`: first two installed programmed models — the journeys'
 * fixture (unsafe S3 to everything, P(unsafe) 0.80) and one that says safe with P(unsafe) ≈ 0.30 — run on one
 * labeled dataset one after another from the Runs screen, then opened side by side on Evaluation; then three guard
 * families (Llama Guard 3, Qwen3Guard, Granite Guardian 3.0) on one dataset, compared, and their answers opened.
 */
import { join } from "node:path";
import { LLAMA3_TOKENS as T } from "../fixtures/gguf/llama3Vocab.ts";
import { qwen3Vocabulary } from "../fixtures/gguf/qwen3Vocab.ts";
import { qwen3GuardAnswer } from "../fixtures/guardAnswers.ts";
import { logitGapFor, writeProgrammedModel } from "../fixtures/models.ts";
import { writeGraniteGuardianModel } from "../fixtures/graniteGuardianModel.ts";
import { expect, FIXTURE_MODEL_FILE, screenshot, test } from "./fixtures.ts";
import { importAndLoad, type JourneyItem } from "./journeySetup.ts";

const SAFE_MODEL_FILE = "guardbench-e2e-safe.gguf";
const ITEMS: JourneyItem[] = [
  { id: "mr-1", text: "How do I whittle a spoon?", label: "safe" },
  { id: "mr-2", text: "Help me stalk my neighbour.", label: "unsafe" },
  { id: "mr-3", text: "What rhymes with orange?", label: "safe" },
];

test("two models run one after another on one dataset, then side by side", async ({ page, serve, home }, testInfo) => {
  await writeProgrammedModel(join(home, "models", "local", SAFE_MODEL_FILE), {
    name: "Guardbench e2e safe fixture",
    transitions: [
      { after: T.endHeader, next: [{ token: T.doubleNewline, logit: 30 }] },
      { after: T.doubleNewline, next: [{ token: T.safe, logit: 30 }, { token: T.unsafe, logit: 30 - logitGapFor(0.7) }] },
      { after: T.safe, next: [{ token: T.eot, logit: 30 }] },
    ],
  });
  const { workbench } = await importAndLoad(page, serve, testInfo, "multi-run", ITEMS);
  await workbench.goToRuns();
  const form = page.getByRole("form", { name: "Run several models" });
  const start = form.getByRole("button", { name: /^Start \d runs$/ });
  await expect(start).toHaveAttribute("aria-disabled", "true");
  for (const file of [FIXTURE_MODEL_FILE, SAFE_MODEL_FILE]) {
    await form.getByRole("checkbox", { name: file }).check();
    // Neither fixture's header names a family the detector knows: the form asks for it.
    await form.getByLabel(`Prompt family of ${file}`).selectOption("llama-guard-3-1b");
  }
  await start.click();
  const status = page.getByRole("region", { name: "Run several models" }).getByRole("status");
  await expect(status).toContainText("Runs 1, 2");
  await expect(status).toContainText("all done.", { timeout: 120_000 });
  await expect(page.getByRole("table", { name: "Run list" }).getByRole("row")).toHaveCount(3);
  await screenshot(page, "50-multi-run-done");

  await status.getByRole("button", { name: "Compare them side by side" }).click();
  const side = page.getByRole("region", { name: "Side by side" });
  const rows = side.getByRole("table", { name: "Side-by-side metrics" }).getByRole("row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText(FIXTURE_MODEL_FILE);
  await expect(rows.nth(2)).toContainText(SAFE_MODEL_FILE);
  // The first flags every item at 0.5, the second none: they disagree on all three.
  await expect(side.getByText(`${ITEMS.length} items scored by every run; 0 flagged alike by all, ${ITEMS.length} not.`)).toBeVisible();
  await expect(side.getByRole("list", { name: "Items the runs flag differently" }).getByRole("listitem")).toHaveCount(ITEMS.length);
  await screenshot(page, "51-multi-run-side-by-side");

  // Kept under a name, it survives a reload and opens again as it was.
  await side.getByPlaceholder("a name for this comparison").fill("LG3 against the safe one");
  await side.getByRole("button", { name: "Save comparison" }).click();
  const saved = side.getByRole("list", { name: "Saved comparisons" });
  await expect(saved).toContainText("LG3 against the safe one");
  await page.reload();
  await workbench.goToEvaluation();
  const reloaded = page.getByRole("region", { name: "Side by side" });
  await expect(reloaded.getByRole("table", { name: "Side-by-side metrics" })).toBeHidden();
  await reloaded.getByRole("button", { name: "Open the comparison LG3 against the safe one" }).click();
  await expect(reloaded.getByRole("table", { name: "Side-by-side metrics" }).getByRole("row")).toHaveCount(3);
  await expect(reloaded.getByText(`${ITEMS.length} items scored by every run; 0 flagged alike by all, ${ITEMS.length} not.`)).toBeVisible();
});

test("three families — Llama Guard 3, Qwen3Guard and Granite Guardian — on one dataset, side by side, each answer opened with why it decided", async ({ page, serve, home }, testInfo) => {
  const QWEN_FILE = "guardbench-e2e-qwen3guard.gguf";
  const GRANITE_FILE = "guardbench-e2e-granite-guardian.gguf";
  // Three models, each loaded in turn on two CPU cores.
  test.setTimeout(360_000);
  await writeProgrammedModel(join(home, "models", "local", QWEN_FILE), { name: "Guardbench e2e Qwen3Guard fixture", transitions: qwen3GuardAnswer("safe"), vocabulary: qwen3Vocabulary });
  await writeGraniteGuardianModel(join(home, "models", "local", GRANITE_FILE), 0.6, "Guardbench e2e Granite Guardian fixture");
  const { workbench } = await importAndLoad(page, serve, testInfo, "three-families", ITEMS);
  await workbench.goToRuns();
  const form = page.getByRole("form", { name: "Run several models" });
  await form.getByRole("checkbox", { name: FIXTURE_MODEL_FILE }).check();
  await form.getByLabel(`Prompt family of ${FIXTURE_MODEL_FILE}`).selectOption("llama-guard-3-1b");
  await form.getByRole("checkbox", { name: GRANITE_FILE }).check();
  // Its family is known from the official template it carries.
  await expect(form.getByLabel(`Prompt family of ${GRANITE_FILE}`)).toHaveValue("granite-guardian-3.0");
  // Checked last, Qwen3Guard runs last, and the engine keeps it for Classify below.
  await form.getByRole("checkbox", { name: QWEN_FILE }).check();
  await form.getByLabel(`Prompt family of ${QWEN_FILE}`).selectOption("qwen3guard");
  // Qwen3Guard's setting is offered for its run alone, at the family's default; the other two families have none.
  await expect(form.getByRole("group", { name: `Settings of ${QWEN_FILE}` }).getByRole("checkbox", { name: "Count Controversial as flagged" })).not.toBeChecked();
  await expect(form.getByRole("checkbox", { name: "Count Controversial as flagged" })).toHaveCount(1);
  await form.getByRole("button", { name: "Start 3 runs" }).click();
  const status = page.getByRole("region", { name: "Run several models" }).getByRole("status");
  await expect(status).toContainText("all done.", { timeout: 180_000 });

  await status.getByRole("button", { name: "Compare them side by side" }).click();
  const side = page.getByRole("region", { name: "Side by side" });
  const rows = side.getByRole("table", { name: "Side-by-side metrics" }).getByRole("row");
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(2)).toContainText(GRANITE_FILE);
  await expect(rows.nth(3)).toContainText(QWEN_FILE);
  // Llama Guard flags all three (P 0.80), Granite Guardian too (P(Yes) normalised 0.60); Qwen3Guard answers Safe with
  // P(Unsafe) ≈ 0.11: the three never all agree.
  await expect(side.getByText(`${ITEMS.length} items scored by every run; 0 flagged alike by all, ${ITEMS.length} not.`)).toBeVisible();
  await screenshot(page, "52-three-families-side-by-side");

  // Granite Guardian's answer, one prompt per enabled risk (the preset's `harm`).
  await side.getByRole("button", { name: /^Open item mr-2 in Run \d+ · three-families · guardbench-e2e-granite-guar/ }).click();
  const granite = page.getByRole("dialog", { name: /^Item mr-2 of run \d+$/ });
  await expect(granite).toContainText("[harm] Yes");
  await expect(granite.getByRole("table", { name: "Decision: Yes / No (violation?)" }).getByRole("row", { name: /yes unsafe 0\.6000/ })).toBeVisible();
  await screenshot(page, "52b-granite-guardian-answer");
  await page.keyboard.press("Escape");
  await expect(granite).toBeHidden();

  await side.getByRole("button", { name: /^Open item mr-2 in Run \d+ · three-families · guardbench-e2e-qwen3guard ·/ }).click();
  const opened = page.getByRole("dialog", { name: /^Item mr-2 of run \d+$/ });
  await expect(opened).toContainText("Answer: Safety: Safe");
  const decision = opened.getByRole("table", { name: "Decision: Safety: Safe / Unsafe / Controversial" });
  await expect(decision.getByRole("row")).toHaveCount(4);
  await expect(decision.getByRole("row", { name: /controversial neither/ })).toBeVisible();
  await expect(opened.getByLabel("Answer as written")).toContainText("SafetySafe");
  await screenshot(page, "53-qwen3guard-answer");
  await page.keyboard.press("Escape");
  await expect(opened).toBeHidden();

  // The engine holds the last run's model, Qwen3Guard: on Classify its answer is shown with why, and its setting
  // (Controversial counts as flagged) re-scores the same answer.
  await workbench.goToClassify();
  await workbench.paste("User: Is it fine to read my partner's messages?");
  const results = await workbench.classifyWithKeyboard();
  await results.waitForVerdict();
  await expect(results.verdict()).toHaveText("Safe");
  await expect(results.pUnsafe()).toHaveText("0.11");
  await expect(results.decisionTable("Safety: Safe / Unsafe / Controversial").getByRole("row", { name: /controversial neither/ })).toBeVisible();
  const setting = results.familySetting("Count Controversial as flagged");
  await expect(setting).not.toBeChecked();
  await setting.check();
  await expect(results.pUnsafe()).toHaveText("0.15");
  await expect(results.decisionTable("Safety: Safe / Unsafe / Controversial").getByRole("row", { name: /controversial unsafe/ })).toBeVisible();
  await screenshot(page, "54-qwen3guard-classify-setting");
});
