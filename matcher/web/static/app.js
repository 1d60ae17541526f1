// Uploads with a progress bar and drag and drop; confirmation before deleting. No inline script: the pages'
// Content-Security-Policy allows scripts from this server only.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const form of document.querySelectorAll("form[data-upload]")) {
    const input = form.querySelector("input[type=file]");
    const drop = form.querySelector(".drop");
    drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      input.files = event.dataTransfer.files;
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const bar = form.querySelector("progress");
      const request = new XMLHttpRequest();
      bar.hidden = false;
      request.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; });
      request.addEventListener("load", () => {
        if (request.status < 400) window.location.assign(request.responseURL);
        else { bar.hidden = true; window.alert(request.responseText); }  // the refusal, in the page's language
      });
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "text/plain");
      request.send(new FormData(form));
    });
  }
});
