// Self-check questions in lessons: answered in the browser only, never sent or graded.
document.querySelectorAll("form[data-self-check]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = form.querySelector("input[type=radio]:checked");
    var result = form.querySelector(".self-check-result");
    if (!chosen) return;
    var right = chosen.hasAttribute("data-correct");
    form.querySelectorAll("input[type=radio]").forEach(function (input) {
      if (input.hasAttribute("data-correct")) input.parentElement.classList.add("is-correct");
    });
    if (!right) chosen.parentElement.classList.add("is-wrong");
    result.textContent = right ? result.dataset.right : result.dataset.wrong;
    result.hidden = false;
    var explanation = form.querySelector(".self-check-explanation");
    if (explanation) explanation.hidden = false;
  });
});
