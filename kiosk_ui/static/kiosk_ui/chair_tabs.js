// The console's tabs (roster, voting, documents): the one shown is mirrored on <body data-tab>.

export function install() {
  const body = document.body;
  const tabs = [...document.querySelectorAll(".tabs .tab")];
  function showTab(id) {
    for (const tab of tabs) {
      const on = tab.id === id;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.classList.toggle("active", on);
      document.getElementById(tab.dataset.panel).hidden = !on;
    }
    body.dataset.tab = id.replace(/^tab-/, ""); // roster, voting, documents
  }
  for (const tab of tabs) tab.addEventListener("click", () => showTab(tab.id));

  return { showTab };
}
