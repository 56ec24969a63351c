/**
 * The programmed Llama Guard 3 model the journeys classify with: it answers `\n\nunsafe\nS3` with P(unsafe) = 0.8
 * (test/fixtures/guardAnswers.ts). The expected numbers come
 * from the fixture's own `expectedDistribution`, never from the app.
 */
import { LLAMA3_TOKENS as T, vocabId } from "../fixtures/gguf/llama3Vocab.ts";
import { writeProgrammedModel, type ProgrammedModel } from "../fixtures/models.ts";
import { llamaGuard3UnsafeAnswer } from "../fixtures/guardAnswers.ts";

const THREE = vocabId("3");
const ONE = vocabId("1");

export const UNSAFE_S3_TRANSITIONS = llamaGuard3UnsafeAnswer("3");

export interface ExpectedToken {
  text: string;
  p: number;
}

export interface UnsafeS3Model {
  model: ProgrammedModel;
  pUnsafe: number;
  /** the generated tokens, in order, each with the probability the weights give it */
  tokens: ExpectedToken[];
  /** the alternative to `3` after `S` */
  pOneAfterS: number;
}

export async function writeUnsafeS3Model(path: string): Promise<UnsafeS3Model> {
  const model = await writeProgrammedModel(path, { transitions: UNSAFE_S3_TRANSITIONS, name: "Guardbench e2e fixture" });
  const p = (after: number, token: number) => model.expectedDistribution(after).probabilityOf(token);
  return {
    model,
    pUnsafe: p(T.doubleNewline, T.unsafe),
    tokens: [
      { text: "\n\n", p: p(T.endHeader, T.doubleNewline) },
      { text: "unsafe", p: p(T.doubleNewline, T.unsafe) },
      { text: "\n", p: p(T.unsafe, T.newline) },
      { text: "S", p: p(T.newline, T.S) },
      { text: "3", p: p(T.S, THREE) },
    ],
    pOneAfterS: p(T.S, ONE),
  };
}
