/* Behaviour every page shares, kept in a file so that the Content-Security-Policy can forbid
   inline scripts and event-handler attributes. */
(function () {
  /* <select data-submit-on-change>: choosing submits its form (the language switcher); a
     <noscript> button does the same without JavaScript. */
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  /* <input data-select-on-focus>: focusing selects the whole value, ready to copy. */
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
