import { describe, expect, it } from "vitest";
import { decideExternalUrl } from "../../../../electron/host/urlPolicy.ts";

describe("links opened outside the app", () => {
  it.each([
    ["https://huggingface.co/meta-llama/Llama-Guard-3-1B", "https://huggingface.co/meta-llama/Llama-Guard-3-1B"],
    ["https://huggingface.co/meta-llama/Llama-Guard-3-1B/", "https://huggingface.co/meta-llama/Llama-Guard-3-1B"],
    ["https://huggingface.co/meta-llama/Llama-Guard-3-8B/blob/main/LICENSE", "https://huggingface.co/meta-llama/Llama-Guard-3-8B/blob/main/LICENSE"],
    ["https://huggingface.co/meta-llama/Llama-Guard-3-8B/blob/main/USE_POLICY.md", "https://huggingface.co/meta-llama/Llama-Guard-3-8B/blob/main/USE_POLICY.md"],
    ["https://huggingface.co/settings/tokens", "https://huggingface.co/settings/tokens"],
    // Re-serialised from the checked parts: query and fragment do not survive.
    ["https://huggingface.co/meta-llama/Llama-Guard-3-1B?redirect=https://evil.example#x", "https://huggingface.co/meta-llama/Llama-Guard-3-1B"],
    ["HTTPS://HuggingFace.co/meta-llama/Llama-Guard-3-1B", "https://huggingface.co/meta-llama/Llama-Guard-3-1B"],
  ])("opens %s as %s", (raw, opened) => {
    expect(decideExternalUrl(raw)).toEqual({ allowed: true, url: opened });
  });

  it.each([
    ["javascript:alert(1)", /only https/],
    ["java\nscript:alert(1)", /only https|not an absolute URL/],
    ["file:///etc/passwd", /only https/],
    ["http://huggingface.co/meta-llama/Llama-Guard-3-1B", /only https/],
    ["data:text/html,<script>alert(1)</script>", /only https/],
    ["https://huggingface.co.evil.com/meta-llama/Llama-Guard-3-1B", /not huggingface\.co\.evil\.com/],
    ["https://evilhuggingface.co/meta-llama/Llama-Guard-3-1B", /not evilhuggingface\.co/],
    ["https://huggingface.co@evil.com/meta-llama/Llama-Guard-3-1B", /user name/],
    ["https://user:pass@huggingface.co/meta-llama/Llama-Guard-3-1B", /user name/],
    ["https://huggingface.co:8443/meta-llama/Llama-Guard-3-1B", /port/],
    // Cyrillic "а": a homoglyph the URL parser turns into punycode, which is not our host.
    ["https://huggingf\u0430ce.co/meta-llama/Llama-Guard-3-1B", /not xn--/],
    ["https://huggingface.co/", /not a Hugging Face model/],
    ["https://huggingface.co/meta-llama", /not a Hugging Face model/],
    ["https://huggingface.co/api/models/meta-llama/Llama-Guard-3-1B", /not a Hugging Face model/],
    ["https://huggingface.co/meta-llama/Llama-Guard-3-1B/resolve/main/model.gguf", /not a Hugging Face model/],
    ["https://huggingface.co/login", /not a Hugging Face model/],
    // Dot segments are resolved by the parser first, then the result is checked.
    ["https://huggingface.co/meta-llama/../api/whoami", /not a Hugging Face model/],
    ["https://huggingface.co/meta-llama/Llama-Guard-3-1B/blob/%2e%2e/x", /not a Hugging Face model/],
    ["not a url", /not an absolute URL/],
    ["//huggingface.co/meta-llama/Llama-Guard-3-1B", /not an absolute URL/],
  ])("refuses %s", (raw, reason) => {
    const decision = decideExternalUrl(raw);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toMatch(reason);
  });
});
