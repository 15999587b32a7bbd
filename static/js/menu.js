/* The header's "Menu" (a <details>, so it works without this script) closes again with
   Escape, giving the focus back to its button, or when the reader clicks elsewhere. */
(() => {
  const menu = document.querySelector("[data-menu]");
  if (!menu) return;
  const summary = menu.querySelector("summary");
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
})();
