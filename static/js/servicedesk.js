/*
 * servicedesk.js: small progressive enhancements. Every page works without it.
 * Loaded with <script src="…/js/servicedesk.js" defer>; no inline scripts (Content-Security-Policy).
 *
 * Auto-submit: a <select data-autosubmit> submits its form when a value is picked, e.g. the
 * language switch. The form keeps its visible submit button for people without JavaScript and
 * for keyboard users: in some browsers the arrow keys (and typing letters) on a closed select
 * change the value one step at a time, and reloading the page on each step would take the user
 * somewhere they did not ask to go (WCAG 3.2.2 On Input). So a value reached with those keys is
 * not submitted by itself; Enter on the select, or the button, submits it.
 * Listeners sit on the document, so selects that htmx swaps in later work too.
 */
(() => {
  "use strict";

  const STEP_KEYS = new Set([
    "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown",
  ]);
  const steppedByKeyboard = new WeakSet();

  const autosubmitSelect = (target) =>
    target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form
      ? target
      : null;

  const submit = (form) => {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  };

  document.addEventListener("keydown", (event) => {
    const select = autosubmitSelect(event.target);
    if (!select || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      steppedByKeyboard.delete(select);
      submit(select.form);
    } else if (STEP_KEYS.has(event.key) || (event.key.length === 1 && event.key !== " ")) {
      steppedByKeyboard.add(select);
    }
  });

  // Picking with a mouse, pen or finger: a deliberate choice from the open list.
  document.addEventListener("pointerdown", (event) => {
    const select = autosubmitSelect(event.target);
    if (select) {
      steppedByKeyboard.delete(select);
    }
  });

  document.addEventListener("focusout", (event) => {
    const select = autosubmitSelect(event.target);
    if (select) {
      steppedByKeyboard.delete(select);
    }
  });

  document.addEventListener("change", (event) => {
    const select = autosubmitSelect(event.target);
    if (select && !steppedByKeyboard.has(select)) {
      submit(select.form);
    }
  });
})();

/*
 * Agent helpers on the ticket page:
 * - a <select data-canned-target="ID"> inserts the chosen canned response into that textarea;
 * - a button with data-shortcut="r" is pressed by Alt+Shift+R (announced with aria-keyshortcuts).
 */
(() => {
  "use strict";

  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.cannedTarget || !select.value) {
      return;
    }
    const area = document.getElementById(select.dataset.cannedTarget);
    if (area instanceof HTMLTextAreaElement) {
      area.value = area.value ? `${area.value}\n\n${select.value}` : select.value;
      area.focus();
    }
    select.value = "";
  });

  document.addEventListener("keydown", (event) => {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const key = event.code.startsWith("Key") ? event.code.slice(3).toLowerCase() : "";
    const button = key && document.querySelector(`[data-shortcut="${key}"]`);
    if (button instanceof HTMLElement) {
      event.preventDefault();
      button.click();
    }
  });
})();
