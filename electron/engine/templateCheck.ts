/**
 * The self-check shown on load (issue #15.3a): Guardbench's prompt for the loaded family against the model file's own
 * chat template, rendered with @huggingface/jinja and the vocabulary's own BOS/EOS text. A check that cannot run says
 * why; it never fails the load.
 */
import { familyOf, familyPresetPolicy, modelTemplateCheck, type ModelTemplateCheck } from "../../shared/families/index.ts";
import type { PromptFamily } from "../../shared/taxonomy/index.ts";
import { inspectModelFile } from "../gguf/index.ts";
import type { ModelFileInfo } from "../../shared/models/modelInfo.ts";
import type { LoadedModelInfo } from "./engine.ts";

/** `header`: the file's header when the caller read it already (`models:load` checks every file first); else it is read here. */
export async function checkModelTemplate(path: string, family: PromptFamily, tokens: LoadedModelInfo["specialTokens"], header?: Pick<ModelFileInfo, "chatTemplate">): Promise<ModelTemplateCheck> {
  try {
    let chatTemplate = header?.chatTemplate;
    if (!header) {
      const inspected = await inspectModelFile(path);
      if (!inspected.ok) return { status: "unchecked", summary: `The model file's header could not be read to check its chat template: ${inspected.error.message}`, compared: 0 };
      chatTemplate = inspected.info.chatTemplate;
    }
    return modelTemplateCheck(familyOf(family), chatTemplate, familyPresetPolicy(family), { bosToken: tokens?.bos ?? "", eosToken: tokens?.eos ?? "" });
  } catch (error) {
    return { status: "unchecked", summary: `The chat template check did not run: ${error instanceof Error ? error.message : String(error)}`, compared: 0 };
  }
}

/**
 * A model file's own chat template when the family's prompt is that template (Llama Guard 4), read from its header;
 * undefined for the other families, and for a file that is gone or unreadable (its prompt then cannot be rebuilt).
 */
export async function embeddedTemplateFor(path: string, family: PromptFamily): Promise<string | undefined> {
  if (!familyOf(family).needsEmbeddedTemplate) return undefined;
  const inspected = await inspectModelFile(path).catch(() => undefined);
  return inspected?.ok ? inspected.info.chatTemplate : undefined;
}
