"use strict";
// The latest events: search, topic filters, and live updates from /api/stream.
(() => {
  const { el, when, eventUrl, getJSON, live, debounce } = Page;
  const form = document.getElementById("search");
  const input = document.getElementById("q");
  const list = document.getElementById("events");
  const nav = document.getElementById("topics");
  const summary = document.getElementById("summary");
  const start = new URLSearchParams(location.search);
  const state = { q: start.get("q") || "", topic: start.get("topic") || "" };
  let shown = new Map(); // event_id -> version on screen, to mark what the stream changed
  input.value = state.q;

  function params() {
    const query = new URLSearchParams();
    if (state.q) query.set("q", state.q);
    if (state.topic) query.set("topic", state.topic);
    return query;
  }

  function row(card, marked) {
    const item = el("li", {
      class: marked ? "event changed" : "event",
      dataset: { eventId: card.event_id, version: String(card.version) },
    });
    item.append(el("h2", {}, el("a", { href: eventUrl(card.event_id), text: card.title })));
    if (card.lead) item.append(el("p", { class: "lead", text: card.lead }));
    const meta = [
      card.topic,
      `${card.article_count} article(s)`,
      card.sources.join(", "),
      `last report ${when(card.last_seen)}`,
    ];
    item.append(el("p", { class: "muted", text: meta.filter(Boolean).join(" · ") }));
    const flags = el("p", { class: "flags" });
    if (card.disagreements) flags.append(el("span", { class: "flag disagree", text: "sources disagree" }));
    if (card.updates) flags.append(el("span", { class: "flag update", text: "figures updated" }));
    if (flags.childElementCount) item.append(flags);
    return item;
  }

  async function load(fromStream) {
    const query = params();
    query.set("limit", "100");
    try {
      const body = await getJSON("/api/events?" + query);
      const rows = body.events.map((card) => {
        const changed = shown.has(card.event_id) ? shown.get(card.event_id) !== card.version : true;
        return row(card, fromStream && changed);
      });
      list.replaceChildren(...rows);
      shown = new Map(body.events.map((card) => [card.event_id, card.version]));
      const what = [state.q && `matching “${state.q}”`, state.topic && `in ${state.topic}`];
      summary.textContent = body.count
        ? `${body.count} event(s) ${what.filter(Boolean).join(" ")}`.trim()
        : "No events match.";
    } catch (error) {
      summary.textContent = `Could not load the events: ${error.message}`;
    }
    document.body.dataset.reloads = String(Number(document.body.dataset.reloads) + 1);
  }

  function topicButton(label, value, count) {
    const button = el("button", {
      type: "button",
      class: "topic",
      "aria-pressed": String(state.topic === value),
      text: count === undefined ? label : `${label} (${count})`,
    });
    button.addEventListener("click", () => {
      state.topic = value;
      remember();
      load(false);
      loadTopics();
    });
    return button;
  }

  async function loadTopics() {
    try {
      const body = await getJSON("/api/topics");
      const buttons = body.topics.map((t) => topicButton(t.topic, t.topic, t.events));
      nav.replaceChildren(topicButton("All topics", ""), ...buttons);
    } catch (error) {
      nav.replaceChildren();
    }
  }

  function remember() {
    const query = params().toString();
    history.replaceState(null, "", query ? `/?${query}` : "/");
  }

  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    state.q = input.value.trim();
    remember();
    load(false);
  });

  const refresh = debounce(() => {
    load(true);
    loadTopics();
  }, 250);
  load(false);
  loadTopics();
  live(refresh); // also on each (re)connect: changes may have been missed meanwhile
})();
