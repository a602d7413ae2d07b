// Polls an import run's progress and reloads the page when the run has finished.
(function () {
  const box = document.getElementById("import-progress");
  if (!box) return;
  const bar = box.querySelector("progress");
  const stage = box.querySelector(".stage");
  async function poll() {
    const response = await fetch(box.dataset.url, { credentials: "same-origin" });
    if (response.ok) {
      const state = await response.json();
      bar.value = state.percent;
      bar.textContent = state.percent + "%";
      stage.textContent = state.stage;
      if (state.finished) { window.location.reload(); return; }
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();
