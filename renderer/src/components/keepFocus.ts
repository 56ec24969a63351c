/**
 * Runs an action that reorders a list, then puts focus back on the element that had it. React moves list items by
 * re-inserting DOM nodes, and a re-inserted node loses focus, which would strand a keyboard user after Alt+↑.
 */
export function keepFocus(action: () => void): void {
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  action();
  requestAnimationFrame(() => {
    if (focused?.isConnected && document.activeElement !== focused) focused.focus();
  });
}
