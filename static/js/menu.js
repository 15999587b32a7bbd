/* The header's "Menu" is a <details>, so it opens and closes without this script. This only
   makes it close again the way menus do: with Escape (the focus goes back to its button), or
   when the reader clicks or taps anywhere else on the page. */
(() => {
  const menu = document.querySelector("[data-menu]");
  if (!menu) return;
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
})();
