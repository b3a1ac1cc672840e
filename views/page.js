// Progressive enhancement for the pages; every form works without it.
// "Show password" buttons beside password fields: added only when script runs, so the no-JS
// form stays a plain form.
for (const input of document.querySelectorAll('input[type="password"]')) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "reveal";
  button.textContent = "Show";
  button.setAttribute("aria-label", "Show password");
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-controls", input.id);
  button.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.textContent = show ? "Hide" : "Show";
    button.setAttribute("aria-label", show ? "Hide password" : "Show password");
    button.setAttribute("aria-pressed", String(show));
  });
  // Moving a focused field (autofocus on an error) loses its focus: give it back.
  const focused = document.activeElement === input;
  const wrap = document.createElement("div");
  wrap.className = "reveal-wrap";
  input.replaceWith(wrap);
  wrap.append(input, button);
  if (focused) input.focus();
}

// A form that asks "are you sure?" (data-confirm) shows its question before it is sent.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
