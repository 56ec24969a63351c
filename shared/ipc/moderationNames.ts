/** The moderation channels' names alone (the preload's allowlist bundles names without schemas; see names.ts). */
export const MODERATION_CHANNEL_NAMES = ["moderation:settings", "moderation:save-settings", "moderation:audit-to-dataset"] as const;
