/**
 * Which of the policy's categories feed each of OpenAI's moderation keys when the policy answers `/v1/moderations`.
 * A policy without its own mapping uses its family's documented default (shared/moderation/defaultMappings.ts); the
 * first edit copies that default into the policy, so the saved version carries exactly what it is scored with.
 */
import { useShallow } from "zustand/react/shallow";
import { defaultMappingReason, defaultOpenAiMapping, OPENAI_MODERATION_CATEGORIES, parseMappingCodes, type OpenAiModerationCategory } from "../../../../shared/moderation/index.ts";
import { CommitInput } from "../../components/CommitInput.tsx";
import { Panel } from "../../components/Panel.tsx";
import { useAppStore } from "../../store/index.ts";
import { policySelectors } from "./selectors.ts";

export function MappingEditor() {
  const policy = useAppStore(policySelectors.draft);
  const setMapping = useAppStore((s) => s.setOpenAiMapping);
  const resolved = useAppStore(useShallow(policySelectors.openAiMapping));
  const written = policy.openaiMapping ?? defaultOpenAiMapping(policy.family);

  function commit(key: OpenAiModerationCategory, text: string): string | undefined {
    const { codes, unknown } = parseMappingCodes(text, policy);
    if (unknown.length > 0) return `${unknown.join(", ")} ${unknown.length === 1 ? "is not a category" : "are not categories"} of this policy: use its codes, e.g. ${policy.categories[0]?.code ?? "S1"}`;
    const current = (written[key] ?? []).join(", ");
    if (codes.join(", ") !== current) setMapping({ ...written, [key]: codes });
    return undefined;
  }

  return (
    <Panel
      title="OpenAI moderation mapping"
      actions={
        <>
          <span className="muted small" role="status">
            {resolved.custom ? "this policy's own mapping" : "the family's default mapping"}
          </span>
          <button type="button" className="button button-small" disabled={!resolved.custom} onClick={() => setMapping(undefined)}>
            Use the family default
          </button>
        </>
      }
    >
      <p className="muted small">
        What <code>/v1/moderations</code> answers for each of OpenAI&apos;s keys: the policy codes that feed it, separated by commas. A key no
        enabled category feeds is reported false and 0, and listed as unmapped.
      </p>
      <table className="mapping-table" aria-label="OpenAI moderation mapping">
        <thead>
          <tr>
            <th scope="col">OpenAI key</th>
            <th scope="col">Policy codes</th>
            <th scope="col">Fed by</th>
          </tr>
        </thead>
        <tbody>
          {OPENAI_MODERATION_CATEGORIES.map((key) => (
            <tr key={key}>
              <th scope="row">
                <code>{key}</code>
              </th>
              <td>
                <CommitInput label={`Policy codes for ${key}`} value={(written[key] ?? []).join(", ")} onCommit={(text) => commit(key, text)} />
              </td>
              <td className="muted small" title={resolved.custom ? undefined : defaultMappingReason(policy.family, key)}>
                {resolved.sources[key].length > 0 ? resolved.sources[key].join(", ") : "unmapped"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {resolved.unknownCodes.length > 0 && (
        <p className="muted small" role="note">
          Ignored: {resolved.unknownCodes.join(", ")} (no longer categories of this policy).
        </p>
      )}
    </Panel>
  );
}
