// planflow: on a phone, fold the filter boxes marked data-fold-on-phone so the figures come first.
// Without this script (or on a wide screen) they stay open; the summary line names the filters in use.
(function () {
  if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (box) {
    box.open = false;
  });
})();
