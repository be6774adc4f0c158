// Progressive enhancement of the avslutning form (it works without this): show the chosen avslutningsårsak's
// veiledningstekst at once, and «Antall timer arbeid per uke» only for a code that requires it.
document.addEventListener("DOMContentLoaded", () => {
  const arsak = document.getElementById("arsak");
  if (!arsak) return;
  const veiledning = document.getElementById("veiledning");
  const timer = document.getElementById("timer-felt");
  const oppdater = () => {
    const valgt = arsak.selectedOptions[0];
    veiledning.textContent = valgt && valgt.dataset.veiledning || "";
    if (timer && !timer.querySelector("[aria-invalid]")) timer.hidden = !(valgt && valgt.dataset.timer === "ja");
  };
  arsak.addEventListener("change", oppdater);
});
