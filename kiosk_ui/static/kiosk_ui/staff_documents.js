// Progress bars: poll the rendering progress until every page of every document is ready.
(function () {
  const main = document.querySelector(".staff-documents");
  async function refresh() {
    const answer = await fetch(main.dataset.progressUrl, {credentials: "same-origin"});
    if (!answer.ok) return;
    const {documents} = await answer.json();
    let pending = false;
    for (const item of documents) {
      const row = main.querySelector(`tr[data-document-id="${item.id}"]`);
      if (!row) continue;
      row.querySelector("progress").value = item.rendered;
      row.querySelector(".progress-label").textContent = `${item.rendered} / ${item.pages}`;
      row.dataset.rendered = item.rendered;
      pending = pending || item.rendered < item.pages;
    }
    if (pending) setTimeout(refresh, 700);
  }
  refresh();
})();

// A file over the size limit is refused here, before it is sent (the server would refuse it
// too, before reading it, but a browser cut off mid-upload shows no message).
(function () {
  const form = document.querySelector(".upload-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    const file = form.querySelector("input[type=file]").files[0];
    if (file && file.size > Number(form.dataset.maxBytes)) {
      event.preventDefault();
      let notice = form.parentElement.querySelector(".alert-size");
      if (!notice) {
        notice = document.createElement("p");
        notice.className = "alert alert-error alert-size";
        notice.setAttribute("role", "alert");
        form.before(notice);
      }
      notice.textContent = form.dataset.tooLarge;
    }
  });
})();
