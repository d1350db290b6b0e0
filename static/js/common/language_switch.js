/**
 * The language picker in a page's header (`#language`): choosing a language
 * reloads the page with `?lang=<tag>` (the server remembers it in a cookie) and
 * keeps the address's hash, where the playground and the lab keep their state.
 */

const picker = document.getElementById("language");
if (picker) {
  picker.addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", picker.value);
    window.location.assign(url.toString());
  });
}
