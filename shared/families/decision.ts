/**
 * A family's decision spec resolved against one model's vocabulary, and the probabilities read from it. Pure: the
 * engine passes its tokenizer and, per decision position, its probability function.
 */
import type { AnswerMeaning, DecisionPoint, DecisionPosition, DecisionSpec, FamilySettings, JudgedTurn } from "./types.ts";

/**
 * The spec of a family with one decision and two answers (most of them): the answer word meaning unsafe and the one
 * meaning safe, each `[key, word]`, at `position`; the rest of the spec as given.
 */
export function binaryDecision(
  label: string,
  position: DecisionPosition,
  [unsafeKey, unsafeText]: readonly [key: string, text: string],
  [safeKey, safeText]: readonly [key: string, text: string],
  rest: Omit<DecisionSpec, "points">,
): DecisionSpec {
  return {
    points: [
      {
        id: "decision",
        label,
        position,
        answers: [
          { key: unsafeKey, text: unsafeText, meaning: "unsafe" },
          { key: safeKey, text: safeText, meaning: "safe" },
        ],
      },
    ],
    ...rest,
  };
}

/** Text → token ids in the model's vocabulary: no BOS, special-token parsing off. */
export type Tokenize = (text: string) => readonly number[];

export interface ResolvedAnswer {
  key: string;
  /** after the family's settings (Qwen3Guard's Controversial may count as unsafe) */
  meaning: AnswerMeaning;
  /** the spellings tried (`unsafe`, ` unsafe`, `Unsafe` …) */
  variants: string[];
  /** first-token ids of those spellings that belong to this answer only */
  tokens: number[];
}

export interface ResolvedPoint {
  id: string;
  label: string;
  after: string;
  afterAnyText: boolean;
  forcible: boolean;
  answers: ResolvedAnswer[];
  /** why the point cannot be read in this vocabulary (an answer left with no token of its own); empty when it can */
  problems: string[];
}

const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();

function spellingsOf(text: string, spec: DecisionSpec): string[] {
  const cases = spec.matchCase === "any" ? [text, text.toLowerCase(), text.toUpperCase(), capitalised(text)] : [text];
  const spaced = spec.leadingSpaceVariants ? cases.flatMap((word) => [word, ` ${word}`]) : cases;
  return [...new Set(spaced)];
}

export function answerMeaning(answer: DecisionPoint["answers"][number], settings: FamilySettings = {}): AnswerMeaning {
  return answer.unsafeWhenSetting !== undefined && settings[answer.unsafeWhenSetting] ? "unsafe" : answer.meaning;
}

/**
 * The first token of each spelling of each answer. A token that starts two answers (a short vocabulary where `safe`
 * and `unsafe` share a first piece) would count for both, so it counts for neither; an answer left without a token of
 * its own is a problem the engine must report instead of scoring.
 */
export function resolveDecisionPoint(point: DecisionPoint, spec: DecisionSpec, tokenize: Tokenize, settings: FamilySettings = {}): ResolvedPoint {
  const candidates = point.answers.map((answer) => {
    const variants = spellingsOf(answer.text, spec);
    const tokens = [...new Set(variants.map((variant) => tokenize(variant)[0]).filter((token): token is number => token !== undefined))];
    return { answer, variants, tokens };
  });
  const owners = new Map<number, number>();
  for (const candidate of candidates) for (const token of candidate.tokens) owners.set(token, (owners.get(token) ?? 0) + 1);
  const problems: string[] = [];
  const answers = candidates.map(({ answer, variants, tokens }) => {
    const own = tokens.filter((token) => owners.get(token) === 1);
    if (own.length === 0) problems.push(`the answer "${answer.text}" has no first token of its own in this vocabulary (it starts like another answer)`);
    return { key: answer.key, meaning: answerMeaning(answer, settings), variants, tokens: own };
  });
  return { id: point.id, label: point.label, ...point.position, answers, problems };
}

export function resolveDecision(spec: DecisionSpec, tokenize: Tokenize, settings: FamilySettings = {}): ResolvedPoint[] {
  return spec.points.map((point) => resolveDecisionPoint(point, spec, tokenize, settings));
}

/** The decision point that gives P(unsafe) for the judged turn: the one named for it, else the first named for both. */
export function primaryPoint(spec: DecisionSpec, judged: JudgedTurn): DecisionPoint {
  return spec.points.find((point) => point.primaryFor?.includes(judged)) ?? spec.points.find((point) => point.primaryFor === undefined) ?? spec.points[0]!;
}

export interface DecisionScores {
  /** probability of each answer's tokens at the decision position */
  answers: { key: string; meaning: AnswerMeaning; p: number }[];
  pUnsafe: number;
  pSafe: number;
  /** answers that are neither (Qwen3Guard's Controversial when it does not count as unsafe; WildGuard's n/a) */
  pOther: number;
  /** pUnsafe / (sum over every answer) */
  pUnsafeNormalized: number;
  /** what the threshold is compared with, per the spec's `score` rule */
  score: number;
}

export function scoreDecision(point: ResolvedPoint, spec: DecisionSpec, probabilityOf: (token: number) => number): DecisionScores {
  const answers = point.answers.map((answer) => ({ key: answer.key, meaning: answer.meaning, p: answer.tokens.reduce((sum, token) => sum + probabilityOf(token), 0) }));
  const total = (meaning: AnswerMeaning) => answers.filter((answer) => answer.meaning === meaning).reduce((sum, answer) => sum + answer.p, 0);
  const pUnsafe = total("unsafe");
  const pSafe = total("safe");
  const pOther = total("other");
  const all = pUnsafe + pSafe + pOther;
  const pUnsafeNormalized = all > 0 ? pUnsafe / all : 0;
  return { answers, pUnsafe, pSafe, pOther, pUnsafeNormalized, score: spec.score === "raw" ? pUnsafe : pUnsafeNormalized };
}

/**
 * The family settings a result was scored with, read back from its decision scores: a setting that makes an answer
 * count as unsafe was on when that answer's meaning is `unsafe` (Qwen3Guard's Controversial). Settings the scores
 * cannot tell are at their defaults.
 */
export function settingsOfScores(
  spec: DecisionSpec,
  settings: readonly { id: string; default: boolean }[],
  scores: readonly { point: string; answers: readonly { key: string; meaning: AnswerMeaning }[] }[] = [],
): Record<string, boolean> {
  return Object.fromEntries(
    settings.map((setting) => {
      for (const point of spec.points) {
        const answer = point.answers.find((candidate) => candidate.unsafeWhenSetting === setting.id);
        const scored = answer && scores.find((candidate) => candidate.point === point.id)?.answers.find((candidate) => candidate.key === answer.key);
        if (scored) return [setting.id, scored.meaning === "unsafe"];
      }
      return [setting.id, setting.default];
    }),
  );
}

/** Every setting of a family at its chosen value, or its default when none was chosen. */
export function effectiveSettings(settings: readonly { id: string; default: boolean }[], chosen: Readonly<Record<string, boolean>> = {}): Record<string, boolean> {
  return Object.fromEntries(settings.map((setting) => [setting.id, chosen[setting.id] ?? setting.default]));
}
