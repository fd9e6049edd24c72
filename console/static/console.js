// Staff console: "全选" ticks every wording of one group of unanswered messages.
document.addEventListener("change", (event) => {
  const group = event.target.getAttribute("data-select-group");
  if (group === null) return;
  document.querySelectorAll(`input[data-group="${group}"]`).forEach((box) => {
    box.checked = event.target.checked;
  });
});
