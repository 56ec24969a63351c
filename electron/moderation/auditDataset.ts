/**
 * From production back to the workbench: a random sample of audited moderation inputs becomes an unlabeled dataset,
 * which the review queue labels and a run measures the policy on. Only inputs whose content was stored can be taken —
 * a hash cannot be read or labeled — so a trail kept in `hash` mode yields no dataset, and the error says how to
 * start storing content.
 */
import { createHash } from "node:crypto";
import type { AuditDatasetReport } from "../../shared/ipc/channels/moderation.ts";
import type { DatasetItem } from "../../shared/datasets/index.ts";
import { StoreError, type GuardbenchStore } from "../store/index.ts";

export interface AuditSampleRequest {
  n: number;
  name?: string;
  flagged?: boolean;
  now?: Date;
}

export function datasetFromAudit(store: GuardbenchStore, request: AuditSampleRequest): AuditDatasetReport {
  const summary = store.moderationAudit.summary();
  const calls = store.moderationAudit.sampleWithContent(request.n, request.flagged === undefined ? {} : { flagged: request.flagged });
  if (calls.length === 0) {
    const why =
      summary.inputs === 0
        ? "no moderation call has been audited yet"
        : summary.withContent === 0
          ? `the ${summary.inputs} audited inputs were stored as hashes only, which cannot be reviewed`
          : `none of the ${summary.withContent} audited inputs with content is ${request.flagged ? "flagged" : "unflagged"}`;
    throw new StoreError(
      "not-found",
      `nothing to sample: ${why}`,
      "Set the moderation audit to store content (Policy screen, or `guardbench serve --audit-content` / `guardbench worker --audit-content`), then let traffic come in.",
    );
  }
  const now = request.now ?? new Date();
  const items: DatasetItem[] = calls.map((call) => ({
    id: `audit-${call.id}`,
    turns: [{ role: "user", content: call.content }],
    categories: [],
    // What production answered, kept beside the item so a reviewer's label can be compared with it later.
    meta: {
      auditedAt: call.createdAt,
      flagged: call.flagged,
      verdict: call.verdict,
      score: call.score,
      categories: call.categories,
      model: call.modelName,
      ...(call.modelSha256 ? { modelSha256: call.modelSha256 } : {}),
      policy: call.policyName,
      ...(call.policyVersion === undefined ? {} : { policyVersion: call.policyVersion }),
    },
  }));
  const ids = items.map((item) => item.id).join(",");
  const datasetId = store.datasets.beginImport({
    name: request.name ?? `API traffic sample, ${now.toISOString().slice(0, 16).replace("T", " ")} (${items.length})`,
    sourcePath: "moderation audit trail",
    sourceSha256: createHash("sha256").update(ids).digest("hex"),
    format: "jsonl",
    startedAt: now,
  });
  store.datasets.addItems(datasetId, items, 0, now);
  store.datasets.finishImport(datasetId, { badRowCount: 0, badRows: [], finishedAt: now });
  return { dataset: store.datasets.summary(datasetId), sampled: items.length, hashOnly: summary.inputs - summary.withContent };
}
