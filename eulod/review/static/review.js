// The review page: a field's source lines lit in the sheet, candidates put into the field.
// It only reads and sets attributes, classes and form values: the sheet's text never
// becomes markup (the page's Content-Security-Policy allows this file and nothing else).
"use strict";

(function () {
  const sheet = document.getElementById("sheet-lines");
  if (!sheet) return;
  let lit = [];

  function show(numbers) {
    lit.forEach((line) => line.classList.remove("lit"));
    lit = numbers
      .map((n) => document.getElementById("L" + n))
      .filter((line) => line !== null);
    lit.forEach((line) => line.classList.add("lit"));
    if (lit.length) lit[0].scrollIntoView({ block: "center" });
  }

  function numbers(element) {
    return (element.dataset.lines || "").split(" ").filter((n) => /^[0-9]+$/.test(n));
  }

  document.querySelectorAll("fieldset.field").forEach((field) => {
    const select = () => {
      document.querySelectorAll("fieldset.field.current").forEach((f) => f.classList.remove("current"));
      field.classList.add("current");
      show(numbers(field));
    };
    field.addEventListener("focusin", select);
    field.addEventListener("click", (event) => {
      if (!event.target.closest("a.lines")) select();
    });
    field.addEventListener("input", () => field.classList.add("changed"));
  });

  document.querySelectorAll("a.lines").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(numbers(link));
    });
  });

  document.querySelectorAll("button.use").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.target);
      if (!target) return;
      target.value = button.dataset.value;
      target.closest("fieldset").classList.add("changed");
      target.focus();
    });
  });
})();
