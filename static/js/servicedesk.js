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

/*
 * Tickets and queues (live pages):
 * - the element with ws-connect gets data-live="open" or "closed" as its websocket opens or closes,
 *   so CSS can say whether the page is live (templates/tickets/partials/live_status.html);
 * - a timeline entry can arrive twice, once in an htmx response that re-renders the ticket and once
 *   over the websocket; the later copy (same id) is removed;
 * - forms show only the fields the chosen action or status uses (data-shown-by; all without JS).
 */
(() => {
  "use strict";

  const setLive = (state) => (event) => {
    const target = event.target;
    if (target instanceof Element && target.hasAttribute("ws-connect")) {
      target.setAttribute("data-live", state);
    }
  };
  document.addEventListener("htmx:wsOpen", setLive("open"));
  document.addEventListener("htmx:wsClose", setLive("closed"));

  const dedupeTimeline = () => {
    const timeline = document.getElementById("timeline");
    if (!timeline) {
      return;
    }
    const seen = new Set();
    for (const item of Array.from(timeline.children)) {
      if (!item.id) {
        continue;
      }
      if (seen.has(item.id)) {
        item.remove();
      } else {
        seen.add(item.id);
      }
    }
  };
  document.addEventListener("htmx:wsAfterMessage", dedupeTimeline);
  document.addEventListener("htmx:afterSettle", dedupeTimeline);

  // <div data-shown-by="id_to" data-shown-for="pending"> (or data-hidden-for="resolved"): shown only
  // while the select with that id has (or has not) one of the space-separated values. Hidden fields
  // are still sent; the server ignores what the chosen value does not use.
  const syncShown = (select) => {
    if (!select.id) {
      return;
    }
    for (const field of document.querySelectorAll(`[data-shown-by="${CSS.escape(select.id)}"]`)) {
      const shownFor = field.getAttribute("data-shown-for");
      const hiddenFor = field.getAttribute("data-hidden-for");
      const value = select.value;
      field.hidden =
        (shownFor !== null && !shownFor.split(" ").includes(value)) ||
        (hiddenFor !== null && hiddenFor.split(" ").includes(value));
    }
  };
  const syncAll = () => {
    const ids = new Set(
      Array.from(document.querySelectorAll("[data-shown-by]"), (field) => field.getAttribute("data-shown-by")),
    );
    for (const id of ids) {
      const select = document.getElementById(id);
      if (select instanceof HTMLSelectElement) {
        syncShown(select);
      }
    }
  };
  syncAll();
  document.addEventListener("htmx:afterSettle", syncAll);
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement) {
      syncShown(event.target);
    }
  });
})();
