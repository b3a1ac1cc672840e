// Views are synchronous (no Suspense): a JSX element is a string. This checks it once, typed.
export function renderSync(element: JSX.Element): string {
  if (typeof element !== "string") throw new Error("views must render synchronously");
  return element;
}
