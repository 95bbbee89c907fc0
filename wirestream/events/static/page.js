"use strict";
// Shared by both pages. Text from the topics is only ever set as text (textContent,
// attribute values), never parsed as HTML; links must be http(s) or same-site paths.
const Page = (() => {
  function safeHref(url) {
    if (typeof url !== "string") return null;
    if (url.startsWith("/") && !url.startsWith("//")) return url;
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "href") {
        const href = safeHref(value);
        if (href) node.setAttribute("href", href);
      } else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child !== undefined && child !== null) node.append(child);
    }
    return node;
  }

  function when(iso) {
    if (!iso) return "time unknown";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    const text = date.toLocaleString("en-GB", {
      day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZone: "UTC",
    });
    return `${text} UTC`;
  }

  function eventUrl(eventId) {
    return "/events/" + encodeURIComponent(eventId);
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ? body.error.message : String(response.status));
    return body;
  }

  // onChange(kind, data): kind null when the stream (re)opens, else "event", "merge", "reset".
  function live(onChange) {
    let source = connect(onChange);
    // A page left open in the back/forward cache would keep its stream, and browsers give a
    // site six connections: close it on the way out, open a new one on the way back.
    window.addEventListener("pagehide", () => source.close());
    window.addEventListener("pageshow", (shown) => {
      if (shown.persisted) source = connect(onChange);
    });
  }

  function connect(onChange) {
    const status = document.getElementById("live");
    const source = new EventSource("/api/stream");
    source.addEventListener("open", () => {
      status.textContent = "live";
      status.className = "live on";
      onChange(null, null);
    });
    source.addEventListener("error", () => {
      status.textContent = "reconnecting…";
      status.className = "live off";
    });
    for (const kind of ["event", "merge", "reset"]) {
      source.addEventListener(kind, (message) => onChange(kind, JSON.parse(message.data)));
    }
    return source;
  }

  function debounce(call, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => call(...args), ms);
    };
  }

  return { el, safeHref, when, eventUrl, getJSON, live, debounce };
})();
