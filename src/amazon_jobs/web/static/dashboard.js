// amazon-jobs dashboard: the one script besides htmx (the CSP allows no inline script).
//
// hx-confirm questions are asked in a styled <dialog> instead of the browser's
// window.confirm(). Without this file htmx falls back to window.confirm(); without
// JavaScript at all, the same links lead to a confirmation page.
(function () {
  "use strict";

  function button(value, label, className) {
    const b = document.createElement("button");
    b.value = value;
    b.className = className;
    b.textContent = label;
    return b;
  }

  function confirmDialog() {
    let dialog = document.getElementById("confirm-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.className = "confirm";
    const form = document.createElement("form");
    form.method = "dialog";
    const question = document.createElement("p");
    question.className = "question";
    const row = document.createElement("div");
    row.className = "button-row";
    row.append(button("no", "No", "btn ghost no"), button("yes", "Yes", "btn danger yes"));
    form.append(question, row);
    dialog.append(form);
    document.body.append(dialog);
    return dialog;
  }

  document.addEventListener("htmx:confirm", function (event) {
    const question = event.detail.question;
    if (!question) return; // the element has no hx-confirm: htmx goes on by itself
    event.preventDefault();
    const dialog = confirmDialog();
    const data = event.detail.elt.dataset;
    dialog.querySelector(".question").textContent = question;
    dialog.querySelector("button.yes").textContent = data.confirmYes || "Yes";
    dialog.querySelector("button.no").textContent = data.confirmNo || "No";
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      function () {
        if (dialog.returnValue === "yes") event.detail.issueRequest(true);
      },
      { once: true }
    );
    dialog.showModal();
    dialog.querySelector("button.no").focus();
  });
})();
