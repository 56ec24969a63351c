// @vitest-environment jsdom
/**
 * Review category keys bound to codes, for every family's categories: each has a key, no two share one, S6 stays 6 when
 * S5 (or S6) is excluded, S10 is 0, S11 and up take Shift or the `c` leader, and labelling never drops a category in
 * silence.
 */
import { describe, expect, it } from "vitest";
import { FAMILIES, familyPresetPolicy } from "../../../../../../shared/families/index.ts";
import { ok, type ReviewItem, type ReviewPage, type RunDetail } from "../../../../../../shared/ipc/index.ts";
import type { PolicyCategory } from "../../../../../../shared/taxonomy/index.ts";
import { categorySlots, keyLabel, keyOfSlot, slotOfKey } from "../../../../../../renderer/src/features/review/categoryKeys.ts";
import { handleReviewKey } from "../../../../../../renderer/src/features/review/keys.ts";
import { reviewSelectors } from "../../../../../../renderer/src/features/review/selectors.ts";
import { createTestStore } from "../../../../../support/renderer/helpers.ts";

const keysOf = (codes: string[], extra: string[] = []) => {
  const slots = categorySlots(codes, extra);
  return Object.fromEntries([...slots].map(([code, slot]) => [code, keyLabel(keyOfSlot(slot))]));
};

describe("category key slots, per family", () => {
  it.each(FAMILIES.map((family) => [family.id, family.taxonomy.categories.map((category) => category.code)] as const))("%s: every category has its own key, and each key leads back to it", (_id, codes) => {
    const slots = categorySlots(codes);
    expect([...slots.keys()]).toEqual(codes);
    expect(new Set(slots.values()).size).toBe(codes.length);
    for (const slot of slots.values()) {
      const key = keyOfSlot(slot);
      expect(slotOfKey(key.leaders, key.shift, key.digit)).toBe(slot);
    }
  });

  it("binds Llama Guard 3's S1–S14 to 1–9, 0 and Shift+1–Shift+4", () => {
    expect(keysOf(familyPresetPolicy("llama-guard-3-8b").categories.map((c) => c.code))).toEqual({
      S1: "1", S2: "2", S3: "3", S4: "4", S5: "5", S6: "6", S7: "7", S8: "8", S9: "9", S10: "0", S11: "Shift+1", S12: "Shift+2", S13: "Shift+3", S14: "Shift+4",
    });
  });

  it("binds Llama Guard 1's O1–O6 and gpt-oss-safeguard's V1–V5 by their numbers", () => {
    expect(Object.values(keysOf(familyPresetPolicy("llama-guard-1").categories.map((c) => c.code)))).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(keysOf(familyPresetPolicy("gpt-oss-safeguard").categories.map((c) => c.code))).toEqual({ V1: "1", V2: "2", V3: "3", V4: "4", V5: "5" });
  });

  it("reaches NemoGuard's S21–S23 with the c leader", () => {
    const keys = keysOf(familyPresetPolicy("nemoguard-content-safety").categories.map((c) => c.code));
    expect(Object.keys(keys)).toHaveLength(23);
    expect([keys.S10, keys.S20, keys.S21, keys.S23]).toEqual(["0", "Shift+0", "c 1", "c 3"]);
    expect(keyLabel(keyOfSlot(31))).toBe("c Shift+1");
    expect(keyLabel(keyOfSlot(41))).toBe("c c 1");
  });

  it("numbers codes without numbers by their place in the family's list (ShieldGemma, Granite Guardian, Qwen3Guard)", () => {
    expect(keysOf(familyPresetPolicy("shieldgemma").categories.map((c) => c.code))).toEqual({ dangerous: "1", harassment: "2", hate: "3", sexual: "4" });
    const granite = familyPresetPolicy("granite-guardian-3.3").categories.map((c) => c.code);
    expect(Object.values(keysOf(granite)).slice(0, 3)).toEqual(["1", "2", "3"]);
    const qwen = familyPresetPolicy("qwen3guard").categories.map((c) => c.code);
    expect(Object.keys(keysOf(qwen))).toEqual(qwen);
  });

  it("gives a label's codes outside the policy keys after the policy's, never moving a policy key", () => {
    const lg3_1b = familyPresetPolicy("llama-guard-3-1b").categories.map((c) => c.code);
    expect(lg3_1b).toHaveLength(13);
    expect(keysOf(lg3_1b, ["S14", "voyeurism"])).toMatchObject({ S13: "Shift+3", S14: "Shift+4", voyeurism: "Shift+5" });
    expect(keysOf(["dangerous", "harassment", "hate", "sexual"], ["S1"])).toEqual({ dangerous: "1", harassment: "2", hate: "3", sexual: "4", S1: "5" });
  });
});

describe("category keys on the review screen's store", () => {
  const item = (itemId: string, label?: ReviewItem["label"]): ReviewItem => ({ itemId, position: 0, turns: [{ role: "user", content: itemId }], ...(label && { label }) });

  async function reviewWith(policyCategories: PolicyCategory[], items: ReviewItem[]) {
    const page: ReviewPage = { items, total: items.length, offset: 0, limit: 100, asOf: 0, labeled: 0 };
    const test = createTestStore({
      "runs:get": () => ok({ id: 1, policy: { name: "p", family: "llama-guard-3-8b", categories: policyCategories } } as unknown as RunDetail),
      "review:queue": () => ok(page),
      "review:label": ({ itemId, label, categories }) => ok({ eventId: 1, datasetId: 1, itemId, label, categories: categories ?? [], who: "t", at: "2026-01-01T00:00:00Z", undone: false }),
    });
    await test.store.getState().openReview(1, 1);
    return test;
  }
  const press = (store: Awaited<ReturnType<typeof reviewWith>>["store"], key: string, code: string, shiftKey = false) =>
    handleReviewKey(
      { key, code, shiftKey, ctrlKey: false, metaKey: false, altKey: false, target: document.body },
      {
        move: () => {},
        moveToEnd: () => {},
        nextUnlabeled: () => {},
        label: (label) => void store.getState().labelCurrent(label),
        toggleCategorySlot: (slot) => store.getState().toggleReviewCategorySlot(slot),
        setLeaders: (leaders) => store.getState().setReviewKeyLeaders(leaders),
        openFullResult: () => {},
        focusNote: () => {},
        leaveNote: () => {},
        undo: () => {},
      },
      store.getState().review.keyLeaders,
    );

  it("with S6 excluded, 6 toggles S6 and 7 toggles S7; Shift+4 toggles S14; every chip shows its key", async () => {
    const categories = familyPresetPolicy("llama-guard-3-8b").categories.map((c) => ({ ...c, enabled: c.code !== "S6" }));
    const { store } = await reviewWith(categories, [item("a")]);
    press(store, "7", "Digit7");
    press(store, "$", "Digit4", true);
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S7", "S14"]);
    press(store, "6", "Digit6");
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S7", "S14", "S6"]);
    const chips = reviewSelectors.categoryChips(store.getState());
    expect(chips.map((chip) => [chip.code, chip.keys])).toEqual(categories.map((c, i) => [c.code, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "Shift+1", "Shift+2", "Shift+3", "Shift+4"][i]]));
    expect(chips.find((chip) => chip.code === "S6")).toMatchObject({ origin: "excluded", checked: true });
  });

  it("reaches NemoGuard's S22 with c then 2, and Esc cancels a waiting c", async () => {
    const { store } = await reviewWith(familyPresetPolicy("nemoguard-content-safety").categories, [item("a")]);
    press(store, "c", "KeyC");
    expect(store.getState().review.keyLeaders).toBe(1);
    press(store, "2", "Digit2");
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S22"]);
    press(store, "c", "KeyC");
    press(store, "Escape", "Escape");
    press(store, "2", "Digit2");
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S22", "S2"]);
  });

  it("keeps an imported category the policy lacks on its own chip, and saves it with unsafe", async () => {
    const { store, bridge } = await reviewWith(familyPresetPolicy("llama-guard-3-1b").categories, [item("a", { label: "unsafe", categories: ["S14", "voyeurism"], source: "import" })]);
    const chips = reviewSelectors.categoryChips(store.getState());
    expect(chips.slice(-2)).toEqual([
      { code: "S14", name: "", keys: "Shift+4", checked: true, origin: "label" },
      { code: "voyeurism", name: "", keys: "Shift+5", checked: true, origin: "label" },
    ]);
    press(store, "3", "Digit3");
    await store.getState().labelCurrent("unsafe");
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "review:label", request: { label: "unsafe", categories: ["S14", "voyeurism", "S3"] } });
  });

  it("says so when an unsafe label leaves out a category the item had (2 unticks S2 on an item labeled unsafe S2)", async () => {
    const { store, bridge } = await reviewWith(familyPresetPolicy("llama-guard-3-8b").categories, [item("a", { label: "unsafe", categories: ["S2"], source: "import" }), item("b")]);
    expect(reviewSelectors.draft(store.getState()).categories).toEqual(["S2"]);
    press(store, "2", "Digit2");
    await store.getState().labelCurrent("unsafe");
    expect(bridge.calls.at(-1)).toMatchObject({ channel: "review:label", request: { label: "unsafe", categories: [] } });
    expect(store.getState().app.notice).toMatchObject({ kind: "info", message: "Saved a as unsafe without S2, which was unticked. Press z to undo." });
  });
});
