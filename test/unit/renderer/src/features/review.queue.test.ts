/**
 * The review queue through the whole dataset: 450 items served a page at a time by a fake main side, moved through with
 * the keys' actions across page boundaries, "next unlabeled" found on a page not loaded yet, and the progress count.
 */
import { describe, expect, it } from "vitest";
import { ok, type LabelEvent, type Req, type ReviewItem } from "../../../../../shared/ipc/index.ts";
import { REVIEW_PAGE_SIZE, reviewItemAt } from "../../../../../renderer/src/features/review/slice.ts";
import { reviewSelectors } from "../../../../../renderer/src/features/review/selectors.ts";
import { createTestStore, settle } from "../../../../support/renderer/helpers.ts";

const TOTAL = 450;

/** 450 items, the first 100 labeled safe on import and the rest unlabeled, except item 300. */
function fakeMainSide() {
  const labels = new Map<string, "safe" | "unsafe">();
  const itemAt = (index: number): ReviewItem => {
    const itemId = `item-${index}`;
    const label = labels.get(itemId) ?? (index < 100 || index === 300 ? "safe" : undefined);
    return { itemId, position: index, turns: [{ role: "user", content: `question ${index}` }], ...(label && { label: { label, categories: [], source: labels.has(itemId) ? "review" : "import" } }) };
  };
  const queueRequests: Req<"review:queue">[] = [];
  let eventId = 0;
  const handlers = {
    "review:queue": (request: Req<"review:queue">) => {
      queueRequests.push(request);
      const offset = request.offset ?? 0;
      const items = Array.from({ length: Math.max(0, Math.min(request.limit ?? 50, TOTAL - offset)) }, (_, i) => itemAt(offset + i));
      const labeled = Array.from({ length: TOTAL }, (_, i) => itemAt(i)).filter((item) => item.label).length;
      return ok({ items, total: TOTAL, offset, limit: request.limit ?? 50, asOf: request.asOf ?? 7, labeled });
    },
    "review:label": ({ itemId, label }: Req<"review:label">) => {
      labels.set(itemId, label);
      return ok<LabelEvent>({ eventId: ++eventId, datasetId: 1, itemId, label, categories: [], who: "t", at: "2026-01-01T00:00:00Z", undone: false });
    },
    "review:next-unlabeled": ({ from, direction }: Req<"review:next-unlabeled">) => {
      const step = direction === "previous" ? -1 : 1;
      for (let i = from + step; i >= 0 && i < TOTAL; i += step) if (!itemAt(i).label) return ok({ index: i });
      return ok({});
    },
  };
  return { handlers, queueRequests };
}

async function openQueue() {
  const main = fakeMainSide();
  const test = createTestStore(main.handlers);
  await test.store.getState().openReview(1);
  return { ...test, ...main };
}

describe("the review queue over the whole dataset", () => {
  it("counts the whole queue, not one page, and shows the progress as labeled / total", async () => {
    const { store } = await openQueue();
    expect(reviewSelectors.total(store.getState())).toBe(TOTAL);
    expect(reviewSelectors.labeled(store.getState())).toBe(101);
    expect(Object.keys(store.getState().review.pages)).toEqual(["0"]);
  });

  it("moves across page boundaries with j, PageDown, End and Home, loading pages as it goes (and the next ahead of time)", async () => {
    const { store, queueRequests } = await openQueue();
    const state = () => store.getState();
    state().selectReviewItem(REVIEW_PAGE_SIZE - 1);
    await settle();
    // Near the end of page 0, page 1 is fetched before the reviewer gets there, with the first page's asOf.
    expect(queueRequests.at(-1)).toMatchObject({ offset: REVIEW_PAGE_SIZE, limit: REVIEW_PAGE_SIZE, asOf: 7 });
    state().moveReview(1);
    expect(reviewSelectors.current(state())?.itemId).toBe("item-100");
    state().moveReview(10);
    expect(reviewSelectors.index(state())).toBe(110);
    state().selectReviewItem(TOTAL - 1);
    expect(reviewSelectors.current(state())).toBeUndefined();
    await settle();
    expect(reviewSelectors.current(state())?.itemId).toBe("item-449");
    expect(reviewSelectors.draft(state()).itemId).toBe("item-449");
    state().moveReview(1);
    expect(reviewSelectors.index(state())).toBe(TOTAL - 1);
    state().selectReviewItem(0);
    expect(reviewSelectors.current(state())?.itemId).toBe("item-0");
  });

  it("labels past item 201 by keys alone, each label landing on its item and counted once", async () => {
    const { store } = await openQueue();
    const state = () => store.getState();
    state().selectReviewItem(195);
    await settle();
    for (let i = 0; i < 10; i++) {
      await state().labelCurrent(i % 2 === 0 ? "unsafe" : "safe");
      await settle();
    }
    expect(reviewSelectors.index(state())).toBe(205);
    expect(reviewItemAt(state().review, 201)?.label).toMatchObject({ label: "unsafe", source: "review" });
    expect(reviewItemAt(state().review, 204)?.label).toMatchObject({ label: "safe", source: "review" });
    expect(reviewSelectors.labeled(state())).toBe(111);
  });

  it("finds the next unlabeled item on a page that is not loaded yet, and the previous one back across pages", async () => {
    const { store, bridge } = await openQueue();
    const state = () => store.getState();
    // Items 0–99 are labeled: the next unlabeled one is on page 1; 300 is labeled too.
    await state().nextUnlabeled("next");
    expect(reviewSelectors.index(state())).toBe(100);
    state().selectReviewItem(299);
    await settle();
    await state().nextUnlabeled("next");
    expect(reviewSelectors.index(state())).toBe(301);
    state().selectReviewItem(TOTAL - 1);
    await settle();
    await state().nextUnlabeled("next");
    expect(state().app.notice).toMatchObject({ message: "No item after this one is without a label." });
    state().selectReviewItem(301);
    await settle();
    await state().nextUnlabeled("previous");
    expect(reviewSelectors.index(state())).toBe(299);
    state().selectReviewItem(100);
    await settle();
    await state().nextUnlabeled("previous");
    expect(reviewSelectors.index(state())).toBe(100);
    expect(state().app.notice).toMatchObject({ message: "No item before this one is without a label." });
    expect(bridge.calls.filter((call) => call.channel === "review:next-unlabeled").length).toBeGreaterThan(0);
  });
});
