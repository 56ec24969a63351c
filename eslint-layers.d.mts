/** Types of eslint-layers.mjs for the test that proves each arrow of the allowlist bites (test/unit/eslint.config.test.ts). */
export declare const ELECTRON_IMPORTS: Readonly<Record<string, readonly string[]>>;
export declare const layersPlugin: { rules: Record<string, unknown> };
