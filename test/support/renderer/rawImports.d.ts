/** Vite's `?raw` imports (the file's text, untransformed), as the renderer tests read the stylesheet. */
declare module "*?raw" {
  const text: string;
  export default text;
}
