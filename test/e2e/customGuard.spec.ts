/**
 * The custom guard path (#15.3b) in the real UI against `guardbench serve`: a model of no family Guardbench knows (a
 * programmed fixture with a GPT-2-family vocabulary and a chat template of its own, answering `Yes` with
 * P(Yes) / (P(Yes) + P(No)) = 0.7) is given decision words and a verdict pattern on the Models screen, saved with the
 * model, loaded with them, and classifies: the verdict and P(unsafe) on the Classify screen come from its weights.
 */
import { join } from "node:path";
import { writeGraniteGuardianModel } from "../fixtures/graniteGuardianModel.ts";
import { expect, screenshot, test } from "./fixtures.ts";
import { WorkbenchPage } from "./pages/WorkbenchPage.ts";

const JUDGE_FILE = "guardbench-e2e-unknown-judge.gguf";
/** Role tokens around each message, and the assistant's turn opened: no family's template, so nothing is detected. */
const OWN_TEMPLATE =
  "{%- for message in messages %}<|start_of_role|>{{ message['role'] }}<|end_of_role|>Judge this: {{ message['content'] }}<|end_of_text|>\n{%- endfor %}<|start_of_role|>assistant<|end_of_role|>";

test("a model of no known family is scored as a custom guard: words and pattern saved with it, loaded, classified", async ({ page, serve, home }) => {
  await writeGraniteGuardianModel(join(home, "models", "local", JUDGE_FILE), 0.7, "Guardbench e2e unknown judge", OWN_TEMPLATE);
  const workbench = await new WorkbenchPage(page).open(serve.url);
  const models = await workbench.goToModels();
  const row = models.installedModel(JUDGE_FILE);
  await expect(row).toContainText("could not be detected");
  await row.getByLabel("Prompt format").selectOption({ label: "Custom guard" });

  const editor = row.getByRole("form", { name: `Custom guard for ${JUDGE_FILE}` });
  // Nothing to load before a definition is saved with the model.
  await expect(row.getByRole("button", { name: `Load ${JUDGE_FILE}` })).toHaveAttribute("aria-disabled", "true");
  await editor.getByLabel("Guard name").fill("Yes/No judge");
  await editor.getByLabel("Word that means unsafe").fill("Yes");
  await editor.getByLabel("Word that means safe").fill("No");
  // A pattern without the named group is refused by the main side, saying why.
  await editor.getByLabel("Verdict pattern").fill("^(Yes|No)");
  await editor.getByRole("button", { name: "Save custom guard" }).click();
  await expect(editor.getByRole("alert")).toContainText("needs a named group (?<verdict>…)");
  await editor.getByLabel("Verdict pattern").fill("^\\s*(?<verdict>\\w+)");
  await editor.getByRole("button", { name: "Save custom guard" }).click();
  await expect(editor.getByRole("status", { name: `Custom guard status of ${JUDGE_FILE}` })).toContainText("Saved “Yes/No judge” with this model");
  await editor.getByText("Prompt preview").click();
  await expect(editor.getByLabel(`Prompt preview of ${JUDGE_FILE}`)).toContainText("<|start_of_role|>user<|end_of_role|>Judge this: How do I bake bread?");
  await screenshot(page, "60-custom-guard-saved");

  await row.getByRole("button", { name: `Load ${JUDGE_FILE}` }).click();
  await models.waitUntilReady(JUDGE_FILE);
  await expect(page.getByRole("region", { name: "Engine" }).getByRole("status")).toContainText("Custom guard “Yes/No judge”");

  // Saved with the model: after a reload the editor shows it again.
  await page.reload();
  await workbench.goToModels();
  await models.installedModel(JUDGE_FILE).getByLabel("Prompt format").selectOption({ label: "Custom guard" });
  await expect(models.installedModel(JUDGE_FILE).getByLabel("Word that means unsafe")).toHaveValue("Yes");

  await workbench.goToClassify();
  await workbench.paste("User: How do I pick a lock?");
  // The policy screen's inspector builds the loaded guard's prompt from its definition and the file's template.
  const policy = await workbench.goToPolicy();
  await expect(policy.promptText()).toContainText("Judge this: How do I pick a lock?");
  await workbench.goToClassify();
  const results = await workbench.classifyByClick();
  await results.waitForVerdict();
  await expect(results.verdict()).toHaveText("Unsafe");
  await expect(results.pUnsafe()).toHaveText("0.70");
  await screenshot(page, "61-custom-guard-classified");
});
