// Quorum by law on the console: opening the sitting or a vote below the council's quorum is
// refused by the server (`quorum.not_met`); the console then shows the refusal and offers to
// go on anyway, only with a reason, which the server keeps in the record and the minutes.
import { t, toast } from "./ui.js";

export function install({ client }) {
  const dialog = document.getElementById("quorum-dialog");
  const form = document.getElementById("quorum-form");
  const text = document.getElementById("quorum-dialog-text");
  const reason = document.getElementById("quorum-reason");
  const error = document.getElementById("quorum-reason-error");
  let asked = null; // {type, data, resolve, reject}

  function ask(type, data, message) {
    return new Promise((resolve, reject) => {
      asked = { type, data, resolve, reject };
      text.textContent = message;
      reason.value = "";
      error.hidden = true;
      dialog.dataset.command = type;
      dialog.showModal();
      reason.focus();
    });
  }

  /** Send a command; below the quorum, ask for the chair's reason and send it again with it. */
  async function run(type, data = {}) {
    try {
      return await client.command(type, data, { quiet: true });
    } catch (refused) {
      if (refused.code !== "quorum.not_met") {
        toast(refused.message || String(refused));
        throw refused;
      }
      return ask(type, data, refused.message);
    }
  }

  document.getElementById("quorum-back").addEventListener("click", () => {
    dialog.close();
    if (asked) asked.reject(new Error(t("quorum.not_overridden")));
    asked = null;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const given = reason.value.trim();
    if (!given) {
      error.textContent = t("quorum.reason_required");
      error.hidden = false;
      reason.focus();
      return;
    }
    const { type, data, resolve, reject } = asked;
    const button = document.getElementById("quorum-override");
    button.disabled = true;
    try {
      const answer = await client.command(type, { ...data, override_reason: given }, { quiet: true });
      asked = null;
      dialog.close();
      toast(t("quorum.overridden"), { kind: "ok" });
      resolve(answer);
    } catch (refused) {
      error.textContent = refused.message || String(refused);
      error.hidden = false;
      if (refused.code !== "quorum.not_met") {
        asked = null;
        dialog.close();
        toast(error.textContent);
        reject(refused);
      }
    } finally {
      button.disabled = false;
    }
  });

  return { run };
}
