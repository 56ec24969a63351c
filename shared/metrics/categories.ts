/**
 * Per-category precision and recall: did the classifier name the right hazard?
 *
 * Which items count for a category: in the datasets' record format, `[]` on an unsafe row means the hazard is
 * *unknown*, not "no hazard" (its source category had no clear code), so such an item can be neither a hit nor a miss
 * for any category and is left out (counted in `unknownHazardItems`). A safe item has no hazard at all, so it counts
 * against every category it is predicted as. Label and predicted categories must use the same codes (for Llama Guard
 * 3: the dataset's `mlcommons` S-codes against the verdict's codes); they are compared as given, case and all.
 */
import type { SafetyLabel } from "../datasets/record.ts";
import { ratesFromCounts, type ConfusionCounts, type Rates } from "./rates.ts";

export interface CategorizedItem {
  label: SafetyLabel;
  /** the hazards the label names; [] on a safe item, and [] on an unsafe item whose hazard is unknown */
  labelCategories: readonly string[];
  /** the categories the classifier named; [] when it did not flag the item */
  predictedCategories: readonly string[];
}

export interface CategoryMetrics extends Rates {
  category: string;
  /** tp: labeled and predicted; fp: predicted, not labeled; fn: labeled, not predicted; tn: neither */
  counts: ConfusionCounts;
  /** items labeled with this category (tp + fn) */
  support: number;
}

export interface PerCategoryReport {
  /** every category that is labeled or predicted on a counted item, in natural order (S2 before S10) */
  categories: CategoryMetrics[];
  /** items that count: safe items and unsafe items with known categories */
  countedItems: number;
  /** unsafe items whose label lists no category, left out as "hazard unknown" */
  unknownHazardItems: number;
}

export function perCategoryMetrics(items: readonly CategorizedItem[]): PerCategoryReport {
  const counted = items.filter((item) => item.label === "safe" || item.labelCategories.length > 0);
  // A safe item's label categories are ignored: the record format lists categories only on unsafe rows.
  const labelCategoriesOf = (item: CategorizedItem): readonly string[] => (item.label === "unsafe" ? item.labelCategories : []);
  const names = new Set<string>();
  for (const item of counted) {
    for (const category of labelCategoriesOf(item)) names.add(category);
    for (const category of item.predictedCategories) names.add(category);
  }
  const categories = [...names]
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((category): CategoryMetrics => {
      const counts: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
      for (const item of counted) {
        const labeled = labelCategoriesOf(item).includes(category);
        const predicted = item.predictedCategories.includes(category);
        counts[labeled ? (predicted ? "tp" : "fn") : predicted ? "fp" : "tn"]++;
      }
      const rates = ratesFromCounts(counts, {
        flagged: `predicted as ${category}`,
        positive: `labeled ${category}`,
        negative: `known not to be ${category}`,
      });
      return { category, counts, support: counts.tp + counts.fn, ...rates };
    });
  return { categories, countedItems: counted.length, unknownHazardItems: items.length - counted.length };
}
