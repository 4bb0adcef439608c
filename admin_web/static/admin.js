// Small behaviours of the admin pages (no inline scripts: the CSP allows only our own files).
document.addEventListener("click", (event) => {
  const back = event.target.closest("[data-back]");
  if (back) { event.preventDefault(); history.back(); }
});
document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.target.closest && event.target.closest("form[data-reset]");
  if (form && event.detail.successful) form.reset();
  if (event.detail.successful) {
    const flash = document.getElementById("flash");
    if (flash && flash.querySelector(".error")) flash.innerHTML = "";
  }
});
