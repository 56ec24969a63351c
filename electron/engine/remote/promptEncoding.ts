/**
 * How a prompt reaches a remote server: as token ids (exact) or as text (the server tokenises; labelled, and guarded).
 *
 * Why token ids. A server given TEXT tokenises it with special-token parsing on — vLLM's Hugging Face tokenizer and
 * llama-server both turn `<|eot_id|>` typed by a user into the control token, which is prompt injection against the
 * classifier — and adds its own BOS. The local engine avoids both by tokenising template specials as single ids, every
 * other run with special parsing off, and adding BOS once (LlamaScorer.tokenizePrompt). Sending the ids it produces
 * gives the server exactly the local engine's input. Producing them needs only the model's vocabulary, which
 * {@link ModelVocabulary} loads from a local copy of the model file in an engine child process (node-llama-cpp
 * `vocabOnly`: metadata and tokenizer, no weights), so native code stays out of the caller's process.
 *
 * Without a local copy, {@link encodeTextPrompt} sends the prompt text without its BOS literal (the server adds BOS)
 * and refuses a conversation whose content spells special-token text. Results say which mode was used.
 */
import { joinParts } from "../../../shared/prompts/index.ts";
import type { PromptFamily } from "../../../shared/taxonomy/index.ts";
import { buildClassificationPrompt } from "../classificationPrompt.ts";
import type { DescribedTokens, VocabularyFacts } from "../completion.ts";
import { EngineProcess, type WorkerSpawner } from "../engineProcess.ts";
import type { ClassifyRequest } from "../../../shared/ipc/contract.ts";
import { RemoteEngineError } from "./errors.ts";
import { localModelIdentity, type ModelIdentity } from "./servedModel.ts";

export interface EncodedPrompt {
  /** what to send: token ids (used as they are) or text (tokenised by the server) */
  prompt: number[] | string;
  /** the prompt as the template renders it (BOS literal included), for display */
  text: string;
  /** prompt length in tokens when known here */
  tokenCount?: number;
  target: "prompt" | "response";
}

/** What token-ids mode needs of the model's tokenizer (ModelVocabulary; tests may fake it). */
export interface PromptVocabulary {
  readonly modelPath: string;
  readonly family: PromptFamily;
  readonly facts: VocabularyFacts;
  /** the model file's facts a server can be checked against (servedModel.ts); without it, no check */
  readonly identity?: ModelIdentity;
  /** exactly the ids the local engine would evaluate (one BOS, specials as single ids, user text as text) */
  encode(request: ClassifyRequest): Promise<EncodedPrompt>;
  describe(tokens: number[]): Promise<DescribedTokens>;
  /** token paths of category codes, as the local engine walks them after `unsafe\n` */
  tokenizeCodes(codes: string[]): Promise<number[][]>;
  isEndOfGeneration(id: number): boolean;
}

/** The tokenizer of a model, loaded from a local GGUF in an engine child process. Share one between endpoints. */
export class ModelVocabulary implements PromptVocabulary {
  private constructor(
    private readonly engine: EngineProcess,
    readonly modelPath: string,
    readonly family: PromptFamily,
    readonly facts: VocabularyFacts,
    readonly identity: ModelIdentity,
  ) {}

  static async open(modelPath: string, family: PromptFamily, spawn?: WorkerSpawner): Promise<ModelVocabulary> {
    const engine = new EngineProcess(spawn);
    try {
      await engine.load({ modelPath, family, vocabOnly: true, gpu: false });
      const facts = await engine.vocabulary();
      return new ModelVocabulary(engine, modelPath, family, facts, await localModelIdentity(modelPath, facts.size));
    } catch (error) {
      engine.dispose();
      throw error;
    }
  }

  async encode(request: ClassifyRequest): Promise<EncodedPrompt> {
    const { text, tokens, target } = await this.engine.tokenizePrompt(request);
    return { prompt: tokens, text, tokenCount: tokens.length, target };
  }

  describe(tokens: number[]): Promise<DescribedTokens> {
    return this.engine.describeTokens(tokens);
  }

  tokenizeCodes(codes: string[]): Promise<number[][]> {
    return this.engine.tokenizeTexts({ texts: codes, parseSpecial: false, addBos: false });
  }

  isEndOfGeneration(id: number): boolean {
    return this.facts.endOfGenerationTokens.includes(id);
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/**
 * Text a server would parse as a special token: Llama 3's `<|…|>` family, SentencePiece's `<s>`, `</s>`, `<unk>`.
 * Broader than any one vocabulary on purpose: without the vocabulary, refusing a harmless `<|x|>` beats sending a
 * control token.
 */
const SPECIAL_TOKEN_TEXT = /<\|[^|\s]{1,64}\|>|<\/?s>|<unk>/;

/** Text mode: the prompt for a server that tokenises it (and adds BOS) itself. */
export function encodeTextPrompt(family: PromptFamily, request: ClassifyRequest): EncodedPrompt {
  const { prompt, target } = buildClassificationPrompt(family, request);
  // Template specials are `special` parts; `text` parts hold template wording and user content, where none may appear.
  const spelled = prompt.engineParts.find((part) => part.kind === "text" && SPECIAL_TOKEN_TEXT.test(part.text));
  if (spelled) {
    const token = SPECIAL_TOKEN_TEXT.exec(spelled.text)![0];
    throw new RemoteEngineError(
      "prompt-refused",
      `the conversation contains the text "${token}", which a server tokenising text would read as a control token (prompt injection), so it is not sent in text mode`,
      "Give the remote engine a local copy of the model file: prompts are then sent as token ids, and such text stays text.",
    );
  }
  return { prompt: joinParts(prompt.engineParts), text: prompt.text, target };
}
