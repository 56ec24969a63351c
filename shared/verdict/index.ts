export { parseVerdict, type Verdict } from "./parseVerdict.ts";
