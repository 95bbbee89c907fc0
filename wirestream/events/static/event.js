"use strict";
// The full-coverage page of one event: cited summary, sources, disagreements, updates,
// entities, and the articles with their duplicates folded under the original.
(() => {
  const { el, when, eventUrl, getJSON, live, debounce } = Page;
  const eventId = decodeURIComponent(location.pathname.split("/").pop());
  const $ = (id) => document.getElementById(id);
  const KINDS = { url: "same URL republished", content: "same text", near: "nearly the same text" };
  const LABELS = {
    PERSON: "People", GPE: "Places", LOC: "Places", ORG: "Organisations",
    NORP: "Groups", EVENT: "Events", FAC: "Buildings and sites",
  };

  function cite(n, sources) {
    const source = sources.get(n);
    if (!source) return el("span", { class: "cite", text: `[${n}]` });
    return el("a", {
      class: "cite",
      href: source.url,
      title: `${source.name}, ${when(source.published_at)}`,
      rel: "noopener noreferrer",
      dataset: { source: String(n) },
      text: `[${n}]`,
    });
  }

  function cites(numbers, sources) {
    const span = el("span", { class: "cites" });
    for (const n of numbers) span.append(" ", cite(n, sources));
    return span;
  }

  function attributed(value, numbers, sources) {
    const names = numbers.map((n) => (sources.get(n) || { name: "an unnamed source" }).name);
    return el("span", { class: "value" },
      el("q", { text: String(value) }), ` according to ${names.join(" and ")}`, cites(numbers, sources));
  }

  function capitalized(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function fieldName(field) {
    return field.startsWith("number:") ? `the number ${field.slice(7)}` : `the ${field}`;
  }

  function renderSummary(event, sources) {
    const sentences = event.summary.map((sentence) =>
      el("p", { class: "sentence" }, sentence.text, cites(sentence.sources, sources)));
    $("summary").replaceChildren(...sentences);
  }

  function renderDisagreements(event, sources) {
    const items = event.disagreements.map((item) => {
      const heading = item.description || `sources differ on ${fieldName(item.field)}`;
      const li = el("li", { class: "disagreement" }, el("strong", { text: capitalized(heading) }), ": ");
      item.values.forEach((v, i) => li.append(i ? "; " : "", attributed(v.value, v.sources, sources)));
      return li;
    });
    $("disagreements").replaceChildren(...items);
    $("disagreements-section").hidden = items.length === 0;
  }

  function renderUpdates(event, sources) {
    const byField = new Map();
    for (const update of event.updates || []) {
      if (!byField.has(update.field)) byField.set(update.field, []);
      byField.get(update.field).push(update);
    }
    const items = [...byField].map(([field, values]) => {
      const heading = `${fieldName(field)} changed as reports came in`;
      const li = el("li", { class: "update" }, el("strong", { text: capitalized(heading) }), ": ");
      values.forEach((v, i) => li.append(i ? " → " : "", attributed(v.value, v.sources, sources),
        ` (first reported ${when(v.first_reported_at)})`));
      return li;
    });
    $("updates").replaceChildren(...items);
    $("updates-section").hidden = items.length === 0;
  }

  function renderSources(event) {
    $("sources").replaceChildren(...event.sources.map((source) =>
      el("li", { id: `source-${source.n}`, value: String(source.n) },
        el("a", { href: source.url, rel: "noopener noreferrer", text: source.name }),
        ` · ${when(source.published_at)} · `,
        el("span", { class: "url", text: source.url }))));
  }

  function renderEntities(event) {
    const groups = new Map();
    for (const entity of event.entities) {
      const label = LABELS[entity.label] || entity.label;
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(`${entity.name} (${entity.count})`);
    }
    const nodes = [];
    for (const [label, names] of groups) {
      nodes.push(el("dt", { text: label }), el("dd", { text: names.join(", ") }));
    }
    $("entities").replaceChildren(...nodes);
  }

  function articleLine(article) {
    return [
      el("a", { href: article.url, rel: "noopener noreferrer", text: article.title }),
      ` — ${article.source} · ${when(article.published_at || article.ingested_at)}`,
    ];
  }

  function renderArticles(articles) {
    const items = articles.map((article) => {
      const li = el("li", { class: "article", dataset: { articleId: article.article_id } }, ...articleLine(article));
      if (article.copies.length) {
        const copies = article.copies.map((copy) => el("li", { class: "copy" },
          ...articleLine(copy), ` (${KINDS[copy.duplicate_kind] || "duplicate"})`));
        li.append(el("details", { class: "copies" },
          el("summary", { text: `${article.copies.length} duplicate(s)` }), el("ul", {}, ...copies)));
      }
      return li;
    });
    $("articles").replaceChildren(...(items.length ? items : [el("li", { text: "No article records yet." })]));
  }

  function renderHistory(history) {
    $("history").replaceChildren(...history.map((v) => el("li", { value: String(v.version),
      text: `version ${v.version} · ${when(v.updated_at)} · ${v.article_count} article(s), ` +
        `${v.source_count} source(s)${v.merged_into ? " · merged" : ""}` })));
  }

  function render(body) {
    const { event } = body;
    const sources = new Map(event.sources.map((source) => [source.n, source]));
    document.title = `${event.title} · wirestream`;
    $("title").textContent = event.title;
    const merged = $("merged");
    merged.hidden = !event.merged_into;
    if (event.merged_into) {
      merged.replaceChildren("This story was merged into ",
        el("a", { href: eventUrl(event.merged_into), text: "the event that now covers it" }), ".");
    }
    const topics = event.topics.map((topic) => topic.label).join(", ");
    $("meta").textContent = [
      `version ${event.version}`,
      `${event.article_count} article(s) from ${event.sources.length} source(s)`,
      `first report ${when(event.first_seen)}`,
      `last report ${when(event.last_seen)}`,
      topics,
      body.absorbed.length ? `includes ${body.absorbed.length} merged event(s)` : "",
    ].filter(Boolean).join(" · ");
    renderSummary(event, sources);
    renderDisagreements(event, sources);
    renderUpdates(event, sources);
    renderSources(event);
    renderEntities(event);
    renderArticles(body.articles);
    renderHistory(body.history);
    $("event").setAttribute("aria-busy", "false");
    $("event").dataset.version = String(event.version);
  }

  async function load() {
    try {
      render(await getJSON(`/api/events/${encodeURIComponent(eventId)}`));
    } catch (error) {
      $("title").textContent = "Event not found";
      $("meta").textContent = error.message;
      $("event").setAttribute("aria-busy", "false");
    }
  }

  const refresh = debounce(load, 250);
  load();
  live((kind, data) => {
    if (kind === null || kind === "reset" || data.event_id === eventId || data.merged_into === eventId) {
      refresh();
    }
  });
})();
