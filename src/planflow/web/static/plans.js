/* The draft's review form: live validation against /plans/drafts/{id}/validate (nothing is saved
   until the form is submitted; without JavaScript the submit checks it), and the source lines a
   field was read from highlighted beside it. No inline script: the CSP forbids it. */
"use strict";

(function () {
  var form = document.getElementById("draft-form");
  var box = document.querySelector("[data-testid=problems]");
  var live = document.querySelector("[data-testid=live-status]");
  var timer = null;
  var sent = 0;

  function fieldsOf(problem) {
    if (!form || !problem.field) { return []; }
    var name = problem.field;
    while (name) {
      var found = form.querySelectorAll("[name^='" + name.replace(/'/g, "") + "']");
      if (found.length) { return Array.prototype.slice.call(found); }
      var cut = Math.max(name.lastIndexOf("."), name.lastIndexOf("["));
      name = cut > 0 ? name.slice(0, cut) : "";
    }
    return [];
  }

  function show(result) {
    var problems = result.problems || [];
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    box.textContent = "";
    box.classList.toggle("ok", problems.length === 0);
    form.dataset.valid = problems.length === 0 ? "yes" : "no";
    if (problems.length === 0) {
      var ok = document.createElement("p");
      ok.dataset.testid = "draft-valid";
      ok.textContent = box.dataset.okText || "Bản nháp hợp lệ. / The draft validates.";
      box.appendChild(ok);
      live.textContent = "✓";
      return;
    }
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.dataset.field = p.field;
      item.textContent = (p.field || "(file)") + ": " + p.message;
      list.appendChild(item);
      fieldsOf(p).forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
    });
    box.appendChild(list);
    live.textContent = problems.length + " ✗";
  }

  function check() {
    var mine = ++sent;
    fetch(form.dataset.validate, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (body) {
          if (r.ok) { return body; }
          return { problems: [{ field: "", message: (body.detail_vi || "") + " / " + (body.detail_en || "") }] };
        });
      })
      .then(function (result) { if (mine === sent) { show(result); } })
      .catch(function () { live.textContent = ""; });
  }

  if (form && box) {
    var schedule = function (event) {
      if (event.target && event.target.name === "csrf_token") { return; }
      live.textContent = "…";
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    };
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }

  document.querySelectorAll("a.src-link").forEach(function (link) {
    link.addEventListener("click", function () {
      document.querySelectorAll(".src-line.hl").forEach(function (el) { el.classList.remove("hl"); });
      var first = parseInt(link.dataset.first, 10);
      var last = parseInt(link.dataset.last, 10) || first;
      for (var n = first; n <= last; n++) {
        var line = document.getElementById("L" + n);
        if (line) { line.classList.add("hl"); }
      }
    });
  });
})();
