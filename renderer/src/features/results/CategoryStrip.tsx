/**
 * Quick exclude on the Classify screen: every category of the policy the loaded model classifies with, each included or
 * excluded with one click (or Space), classifying again at once; and codes typed as a list, where a code the policy
 * does not have is named and ignored, as the official templates ignore it. The full editor stays on Policy.
 */
import { useId, useState, type FormEvent } from "react";
import { useShallow } from "zustand/react/shallow";
import { splitCategoryCodes } from "../../../../shared/taxonomy/index.ts";
import { useAppStore } from "../../store/index.ts";
import { FAMILY_LABELS } from "../policy/familyLabels.ts";
import { resultsSelectors } from "./selectors.ts";

/** The strip's id, for Alt+X to focus its first category. */
export const CATEGORY_STRIP_ID = "classify-category-strip";

export function CategoryStrip() {
  const categories = useAppStore(useShallow(resultsSelectors.categoryStrip));
  const family = useAppStore(resultsSelectors.classifyingFamily);
  const setCategory = useAppStore((s) => s.setClassifyingCategory);
  const navigate = useAppStore((s) => s.navigate);
  const enabled = categories.filter((category) => category.enabled).length;
  return (
    <fieldset id={CATEGORY_STRIP_ID} className="category-strip" aria-describedby={`${CATEGORY_STRIP_ID}-hint`}>
      <legend className="field-label">
        Categories ({enabled} of {categories.length}, {FAMILY_LABELS[family]})
      </legend>
      <div className="category-chips">
        {categories.map((category) => (
          <label key={category.code} className={`category-chip${category.enabled ? "" : " category-chip-excluded"}`} title={category.name}>
            <input type="checkbox" checked={category.enabled} onChange={(event) => setCategory(category.code, event.target.checked)} aria-label={`${category.code} ${category.name}`} />
            <span className="category-code">{category.code}</span>
            <span className="category-chip-name">{category.name.replace(/\.$/, "")}</span>
          </label>
        ))}
      </div>
      <div className="category-strip-foot">
        <ExcludeCodes />
        <p id={`${CATEGORY_STRIP_ID}-hint`} className="muted small">
          Untick a category to exclude it and classify again (Alt+X, then Space).{" "}
          <button type="button" className="link-button" onClick={() => navigate("policy")}>
            Edit the policy
          </button>
        </p>
      </div>
    </fieldset>
  );
}

function ExcludeCodes() {
  const id = useId();
  const [codes, setCodes] = useState("");
  const [unknown, setUnknown] = useState<string[]>([]);
  const family = useAppStore(resultsSelectors.classifyingFamily);
  const exclude = useAppStore((s) => s.excludeClassifyingCodes);

  function submit(event: FormEvent) {
    event.preventDefault();
    const listed = splitCategoryCodes(codes);
    if (listed.length === 0) return;
    setUnknown(exclude(listed));
    setCodes("");
  }

  return (
    <form className="inline-form exclude-codes" onSubmit={submit}>
      <label htmlFor={id} className="field-label">
        Exclude codes
      </label>
      <input id={id} className="input input-small mono" value={codes} placeholder="S6, S14" spellCheck={false} onChange={(event) => setCodes(event.target.value)} aria-describedby={`${id}-unknown`} />
      <button type="submit" className="button button-small">
        Exclude
      </button>
      <span id={`${id}-unknown`} role="status" className="small exclude-unknown">
        {unknown.length > 0 &&
          `The ${FAMILY_LABELS[family]} policy has no ${unknown.join(", ")}: nothing to exclude there (the official template ignores unknown codes too).`}
      </span>
    </form>
  );
}
