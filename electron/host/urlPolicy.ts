/**
 * Which URLs the app may hand to the operating system's browser (`shell.openExternal`): https pages on huggingface.co
 * that a user needs during a download — a model's page and its licence files, and the token settings page. Everything
 * else is refused, and an allowed URL is rebuilt from its checked parts, so what is opened is exactly what was checked.
 *
 * Pure (WHATWG URL only), so every case is unit-tested without Electron (test/unit/electron/host/urlPolicy.test.ts).
 */
export type UrlDecision = { allowed: true; url: string } | { allowed: false; reason: string };

const ALLOWED_HOST = "huggingface.co";
/** Hub names: letters, digits, `.`, `_`, `-` (and never `..`, which the URL parser would already have resolved). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** First path segments that are Hub pages rather than an owner's name. */
const RESERVED_OWNERS = new Set(["api", "settings", "login", "logout", "join", "oauth", "spaces", "datasets", "docs", "organizations", "new", "models", "search", "chat"]);
/** Pages below a model that a user may need: the model card and file views (licence, use policy). */
const MODEL_SUBPAGES = new Set(["blob", "tree"]);
const EXTRA_PAGES = new Set(["/settings/tokens"]);

export function decideExternalUrl(raw: string): UrlDecision {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`not an absolute URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
  if (url.protocol !== "https:") return refuse(`only https links open outside the app, not ${url.protocol}`);
  // `https://huggingface.co@evil.example` is a link to evil.example with a user name: refuse userinfo outright.
  if (url.username !== "" || url.password !== "") return refuse("links with a user name or password are refused");
  if (url.hostname !== ALLOWED_HOST) return refuse(`only ${ALLOWED_HOST} pages open outside the app, not ${url.hostname}`);
  if (url.port !== "") return refuse(`links to another port (${url.port}) are refused`);
  const path = url.pathname.replace(/\/+$/, "");
  if (!isAllowedPath(path)) return refuse(`${path || "/"} is not a Hugging Face model, licence or token page`);
  // Rebuilt from the checked path only: no query, fragment or anything the parser might have tolerated.
  return { allowed: true, url: `https://${ALLOWED_HOST}${path}` };
}

function isAllowedPath(path: string): boolean {
  if (EXTRA_PAGES.has(path)) return true;
  const segments = path.split("/").slice(1);
  const [owner, repo, subpage, ...rest] = segments;
  if (!owner || !repo || RESERVED_OWNERS.has(owner.toLowerCase())) return false;
  if (!segments.every((segment) => NAME.test(segment))) return false;
  if (subpage === undefined) return true;
  return MODEL_SUBPAGES.has(subpage) && rest.length >= 1;
}

function refuse(reason: string): UrlDecision {
  return { allowed: false, reason };
}
