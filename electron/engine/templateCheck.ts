/**
 * The self-check shown on load (issue #15.3a): Guardbench's prompt for the loaded family against the model file's own
 * chat template, rendered with @huggingface/jinja and the vocabulary's own BOS/EOS text. A check that cannot run says
 * why; it never fails the load.
 */
import { familyOf, familyPresetPolicy, modelTemplateCheck, type ModelTemplateCheck } from "../../shared/families/index.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import { inspectModelFile } from "../gguf/index.ts";
import type { LoadedModelInfo } from "./engine.ts";

export async function checkModelTemplate(path: string, family: PromptFamily, tokens: LoadedModelInfo["specialTokens"]): Promise<ModelTemplateCheck> {
  try {
    const inspected = await inspectModelFile(path);
    if (!inspected.ok) return { status: "unchecked", summary: `The model file's header could not be read to check its chat template: ${inspected.error.message}`, compared: 0 };
    return modelTemplateCheck(familyOf(family), inspected.info.chatTemplate, familyPresetPolicy(family), { bosToken: tokens?.bos ?? "", eosToken: tokens?.eos ?? "" });
  } catch (error) {
    return { status: "unchecked", summary: `The chat template check did not run: ${error instanceof Error ? error.message : String(error)}`, compared: 0 };
  }
}
