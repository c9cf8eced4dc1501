// The web chat: sends questions to /api/ask, shows cited answers, sends votes to /api/feedback.
// Every piece of text is inserted with textContent or as built DOM nodes (never innerHTML), so nothing a
// user or the corpus writes can become markup. One conversation per browser tab: a random id and the
// rendered turns (the answers' JSON) in sessionStorage, so a reload shows the same conversation and the
// server, which keeps the conversation's context under the same id, answers follow-ups in it.
"use strict";

(function () {
  const main = document.getElementById("chat");
  if (!main) return;
  const t = (name) => main.dataset["t" + name.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || "";
  // Texts with a slot ("Les i {source}") are handed over with the slot unfilled.
  const tpl = (name, values) => t(name).replace(/\{(\w+)\}/g, (slot, key) => (key in values ? values[key] : slot));
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const box = document.getElementById("question");
  const send = document.getElementById("send");
  const CONVERSATION_KEY = "omstillingsbot.conversation";
  const TURNS_KEY = "omstillingsbot.turns";
  // Messages kept for a reload: the last 30 questions with their replies (a few kB each, far below the
  // storage quota, and more than anyone scrolls back through).
  const MAX_MESSAGES = 60;
  // A reference in the answer text: "[a]" (the citation's marker) or "[2]" (its position, older answers).
  const REF = /(\[(?:[a-z]|\d{1,2})\])/;
  // Web addresses and e-mail addresses in answer text become links.
  const LINK = /\bhttps?:\/\/[^\s<>«»"]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
  let answers = 0;
  let busy = false;
  let turns = loadTurns();

  function newConversationId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function conversationId() {
    let id = sessionStorage.getItem(CONVERSATION_KEY);
    if (!id) {
      id = newConversationId();
      sessionStorage.setItem(CONVERSATION_KEY, id);
    }
    return id;
  }

  // --- the stored conversation ------------------------------------------------------------------

  function validTurn(turn) {
    if (!turn || typeof turn !== "object") return false;
    if (turn.role === "user") return typeof turn.text === "string";
    return turn.role === "bot" && !!turn.answer && typeof turn.answer === "object";
  }

  function loadTurns() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(TURNS_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter(validTurn).slice(-MAX_MESSAGES) : [];
    } catch (err) {
      return []; // unreadable (edited by hand, another version): start afresh rather than fail
    }
  }

  function saveTurns() {
    turns = turns.slice(-MAX_MESSAGES);
    while (true) {
      try {
        sessionStorage.setItem(TURNS_KEY, JSON.stringify(turns));
        return;
      } catch (err) {
        if (!turns.length) return; // storage off (private mode): the chat still works, without reload
        turns = turns.slice(2); // storage full: drop the oldest question and reply
      }
    }
  }

  function remember(turn) {
    turns.push(turn);
    saveTurns();
    return turn;
  }

  // --- building the messages --------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Opens in a new tab (the chat stays where it was); noopener keeps that page away from this one.
  function externalLink(href, text, className) {
    const a = el("a", className || "", text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.append(el("span", "visually-hidden", " " + t("new-tab")));
    return a;
  }

  // The addresses that may become links in the reply being drawn: those the bot wrote itself (the
  // answer's `links`) and those in the documents it quotes. The rest of a reply can echo the user's own
  // words, and a link the user typed must not come back as the bot's.
  let linkable = new Set();

  // Text with its web and e-mail addresses as links (mailto: for e-mail). Punctuation that ends the
  // sentence is not part of the address.
  function appendLinked(parent, text) {
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      let address = match[0].replace(/[.,;:!?]+$/, "");
      if (address.endsWith(")") && !address.includes("(")) address = address.slice(0, -1);
      if (!linkable.has(address)) continue;
      parent.append(document.createTextNode(text.slice(last, match.index)));
      if (/^https?:/i.test(address)) {
        parent.append(externalLink(address, address, "auto"));
      } else {
        const a = el("a", "auto", address);
        a.href = "mailto:" + address;
        parent.append(a);
      }
      last = match.index + address.length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  // Text with the clauses that answer (the citations' `focus`) in bold, and addresses as links.
  function appendRich(parent, text, focuses) {
    let rest = text;
    while (rest) {
      let at = -1;
      let focus = "";
      for (const f of focuses) {
        const i = rest.indexOf(f);
        if (i >= 0 && (at < 0 || i < at)) [at, focus] = [i, f];
      }
      if (at < 0) break;
      appendLinked(parent, rest.slice(0, at));
      const strong = el("strong", "focus");
      appendLinked(strong, focus);
      parent.append(strong);
      rest = rest.slice(at + focus.length);
    }
    if (rest) appendLinked(parent, rest);
  }

  const markerOf = (citation, i) =>
    typeof citation.marker === "string" && citation.marker ? citation.marker : String(i + 1);

  // The citation a reference points to: by marker ("[a]"), or by position ("[2]"); -1 when none.
  function citationIndex(ref, citations) {
    if (/^\d+$/.test(ref)) return Number(ref) >= 1 && Number(ref) <= citations.length ? Number(ref) - 1 : -1;
    return citations.findIndex((c, i) => markerOf(c, i) === ref);
  }

  // "«quoted text» [a]" -> the text (the answering clause in bold), then a link to source a of this answer.
  function answerLine(line, prefix, citations) {
    const p = el("p", line.startsWith("«") ? "quote" : "line");
    const parts = line.split(REF);
    const focuses = [];
    for (const part of parts) {
      const m = /^\[(.+)\]$/.exec(part);
      const i = m ? citationIndex(m[1], citations) : -1;
      if (i >= 0 && typeof citations[i].focus === "string" && citations[i].focus) focuses.push(citations[i].focus);
    }
    for (const part of parts) {
      const m = /^\[(.+)\]$/.exec(part);
      const i = m ? citationIndex(m[1], citations) : -1;
      if (i >= 0) {
        const mark = markerOf(citations[i], i);
        const a = el("a", "ref", mark);
        a.href = "#" + prefix + "-src-" + mark;
        a.setAttribute("aria-label", t("source") + " " + mark);
        p.append(a);
      } else if (part) {
        appendRich(p, part, focuses);
      }
    }
    return p;
  }

  const squeeze = (text) => String(text || "").replace(/\s+/g, " ").trim();

  function sourceItem(citation, i, prefix, answerText) {
    const mark = markerOf(citation, i);
    const li = el("li", "source");
    li.id = prefix + "-src-" + mark;
    const head = el("p", "source-head");
    const info = el("span", "info");
    info.append(el("span", "label", citation.label));
    const source = typeof citation.source === "string" ? citation.source : "";
    const page = citation.page ? ", " + t("page") + " " + citation.page : "";
    const url = citation.url;
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      const where = el("span", "where");
      where.append(externalLink(url, source ? tpl("read-source", { source: source }) : t("read-report"), "report-link"));
      if (page) where.append(document.createTextNode(page));
      info.append(where);
    } else if (source || page) {
      info.append(el("span", "where", source + page));
    }
    head.append(el("span", "num", mark), info);
    li.append(head);
    // The quote is offered only where the answer did not already show it in full. The facts about a
    // report ("<doc>#meta", made from its front matter) are shown as facts, never as a quote.
    const text = String(citation.text || "");
    const facts = String(citation.id || "").endsWith("#meta");
    if (text && !facts && !answerText.includes(squeeze(text))) {
      const details = el("details");
      const quote = el("blockquote");
      appendRich(quote, text, citation.focus ? [citation.focus] : []);
      details.append(el("summary", "", t("show-quote")), quote);
      li.append(details);
    }
    return li;
  }

  // A refusal points to the full documents (the links on the start page) unless its text already does.
  function fullReportLinks(answerText) {
    const line = el("p", "line full-reports");
    for (const link of document.querySelectorAll("#holdings a.full-report")) {
      const href = link.getAttribute("href") || "";
      if (!href || answerText.includes(href)) continue;
      if (line.childNodes.length) line.append(document.createTextNode(" · "));
      line.append(externalLink(href, tpl("full-report", { source: link.dataset.source || "" }), "full-report"));
    }
    return line.childNodes.length ? line : null;
  }

  // Next questions as buttons. Only the newest reply keeps them: "Hvorfor det?" under an older reply
  // would be asked about the newest one.
  function nextSteps(suggestions) {
    const steps = (Array.isArray(suggestions) ? suggestions : []).filter(
      (s) => s && typeof s.label === "string" && typeof s.ask === "string" && s.ask.trim());
    if (!steps.length) return null;
    const group = el("div", "next");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("next-steps"));
    for (const step of steps) {
      const b = el("button", "next-step", step.label || step.ask);
      b.type = "button";
      b.addEventListener("click", () => ask(step.ask));
      group.append(b);
    }
    return group;
  }

  function feedbackControls(answerId, turn) {
    const group = el("div", "feedback");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t("helpful"));
    group.append(el("span", "prompt", t("helpful")));
    const status = el("span", "thanks");
    status.setAttribute("role", "status");
    const buttons = {};
    for (const [vote, symbol, label] of [["up", "👍", t("up-label")], ["down", "👎", t("down-label")]]) {
      const b = el("button", "vote " + vote, symbol);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.setAttribute("aria-pressed", String(turn.vote === vote));
      b.addEventListener("click", () => {
        const pressed = b.getAttribute("aria-pressed") === "true";
        castVote(answerId, pressed ? "none" : vote, buttons, status, turn);
      });
      buttons[vote] = b;
      group.append(b);
    }
    group.append(status);
    return group;
  }

  async function castVote(answerId, vote, buttons, status, turn) {
    try {
      const response = await fetch("/api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ answer_id: answerId, vote: vote }),
      });
      const body = await response.json();
      status.textContent = body.message || body.error || t("error");
      if (response.ok && body.saved) {
        for (const [name, b] of Object.entries(buttons)) {
          b.setAttribute("aria-pressed", String(name === vote));
        }
        turn.vote = vote === "none" ? undefined : vote;
        saveTurns();
      }
    } catch (err) {
      status.textContent = t("error");
    }
  }

  function userMessage(text) {
    const item = el("li", "msg user");
    item.append(el("span", "who", t("you")), el("p", "said", text));
    log.append(item);
  }

  function botMessage(turn) {
    const answer = turn.answer;
    answers += 1;
    const prefix = "a" + answers;
    const item = el("li", "msg bot" + (answer.abstained ? " abstained" : ""));
    item.id = prefix;
    item.append(el("span", "who", t("bot")));
    const body = el("div", "answer");
    const citations = Array.isArray(answer.citations) ? answer.citations.filter((c) => c && typeof c === "object") : [];
    const text = String(answer.answer || "");
    linkable = new Set((Array.isArray(answer.links) ? answer.links : []).filter((a) => typeof a === "string"));
    for (const c of citations) {
      for (const m of String(c.text || "").matchAll(LINK)) linkable.add(m[0].replace(/[.,;:!?)]+$/, ""));
    }
    for (const line of text.split("\n")) {
      if (line.trim()) body.append(answerLine(line, prefix, citations));
    }
    if (answer.abstained) {
      const links = fullReportLinks(text);
      if (links) body.append(links);
    }
    item.append(body);
    if (citations.length) {
      const sources = el("section", "sources");
      const heading = el("h3", "", t("sources"));
      heading.id = prefix + "-sources";
      sources.setAttribute("aria-labelledby", heading.id);
      const list = el("ol");
      const shown = squeeze(text);
      citations.forEach((c, i) => list.append(sourceItem(c, i, prefix, shown)));
      sources.append(heading, list);
      item.append(sources);
    }
    for (const old of log.querySelectorAll(".next")) old.remove();
    const steps = nextSteps(answer.suggestions);
    if (steps) item.append(steps);
    if (typeof answer.answer_id === "string" && answer.answer_id) item.append(feedbackControls(answer.answer_id, turn));
    log.append(item);
    return item;
  }

  function errorMessage(text) {
    const item = el("li", "msg bot error");
    item.append(el("span", "who", t("bot")), el("p", "line", text));
    log.append(item);
  }

  async function ask(question) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    userMessage(question);
    remember({ role: "user", text: question });
    const waiting = el("li", "msg bot waiting", t("working"));
    log.append(waiting);
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ question: question, conversation_id: conversationId() }),
      });
      const body = await response.json().catch(() => ({}));
      waiting.remove();
      if (!response.ok || !body || typeof body !== "object") {
        errorMessage((body && body.error) || t("error"));
      } else {
        const item = botMessage(remember({ role: "bot", answer: body }));
        // A clicked next step is gone with the old reply: keep keyboard focus in the conversation.
        if (!document.activeElement || document.activeElement === document.body) {
          item.tabIndex = -1;
          item.focus({ preventScroll: true });
        }
        item.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    } catch (err) {
      waiting.remove();
      errorMessage(t("error"));
    } finally {
      busy = false;
      send.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = box.value.trim();
    if (!question || busy) return;
    box.value = "";
    ask(question);
    box.focus();
  });

  // Enter sends, Shift+Enter makes a new line.
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  for (const button of document.querySelectorAll("button.starter")) {
    button.addEventListener("click", () => {
      box.value = button.dataset.question || "";
      form.requestSubmit();
    });
  }

  document.getElementById("new-conversation").addEventListener("click", () => {
    sessionStorage.setItem(CONVERSATION_KEY, newConversationId());
    sessionStorage.removeItem(TURNS_KEY);
    turns = [];
    log.replaceChildren();
    box.focus();
  });

  // A reload shows the conversation as it was (votes included).
  for (const turn of turns) {
    if (turn.role === "user") userMessage(turn.text);
    else botMessage(turn);
  }
})();
