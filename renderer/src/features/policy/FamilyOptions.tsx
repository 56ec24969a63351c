/** The prompt families as `<option>`s, for every family `<select>` (Policy screen, model picker, installed models). */
import { FAMILY_OPTIONS } from "./familyLabels.ts";

export function FamilyOptions() {
  return FAMILY_OPTIONS.map((option) => (
    <option key={option.value} value={option.value}>
      {option.label}
    </option>
  ));
}
