// The web chat: sends questions to /api/ask, shows cited answers, sends votes to /api/feedback.
// Every piece of text is inserted with textContent (never innerHTML), so nothing a user or the
// corpus writes can become markup. One conversation per browser tab: a random id in sessionStorage.
"use strict";

(function () {
  const main = document.getElementById("chat");
  if (!main) return;
  const t = (name) => main.dataset["t" + name.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())] || "";
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const box = document.getElementById("question");
  const send = document.getElementById("send");
  const CONVERSATION_KEY = "omstillingsbot.conversation";
  let answers = 0;

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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function userMessage(text) {
    const item = el("li", "msg user");
    item.append(el("span", "who", t("you")), el("p", "said", text));
    log.append(item);
  }

  // "«quoted text» [2]" -> the text, then a link to source 2 of this answer.
  function answerLine(line, prefix, count) {
    const p = el("p", line.startsWith("«") ? "quote" : "line");
    const parts = line.split(/(\[\d+\])/);
    for (const part of parts) {
      const m = /^\[(\d+)\]$/.exec(part);
      if (m && Number(m[1]) >= 1 && Number(m[1]) <= count) {
        const a = el("a", "ref", m[1]);
        a.href = "#" + prefix + "-src-" + m[1];
        a.setAttribute("aria-label", t("source") + " " + m[1]);
        p.append(a);
      } else if (part) {
        p.append(document.createTextNode(part));
      }
    }
    return p;
  }

  function sourceItem(citation, n, prefix) {
    const li = el("li", "source");
    li.id = prefix + "-src-" + n;
    const head = el("p", "source-head");
    const info = el("span", "info");
    info.append(el("span", "label", citation.label));
    let where = citation.source || "";
    if (citation.page) where += ", " + t("page") + " " + citation.page;
    if (where) info.append(el("span", "where", where));
    head.append(el("span", "num", String(n)), info);
    li.append(head);
    const url = citation.url;
    if (typeof url === "string" && /^https?:\/\//i.test(url)) {
      const a = el("a", "report-link", t("read-report"));
      a.href = url;
      a.rel = "noopener noreferrer";
      li.append(a);
    }
    const details = el("details");
    details.append(el("summary", "", t("show-quote")), el("blockquote", "", citation.text));
    li.append(details);
    return li;
  }

  function feedbackControls(answerId) {
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
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => {
        const pressed = b.getAttribute("aria-pressed") === "true";
        castVote(answerId, pressed ? "none" : vote, buttons, status);
      });
      buttons[vote] = b;
      group.append(b);
    }
    group.append(status);
    return group;
  }

  async function castVote(answerId, vote, buttons, status) {
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
      }
    } catch (err) {
      status.textContent = t("error");
    }
  }

  function botMessage(answer) {
    answers += 1;
    const prefix = "a" + answers;
    const item = el("li", "msg bot" + (answer.abstained ? " abstained" : ""));
    item.id = prefix;
    item.append(el("span", "who", t("bot")));
    const body = el("div", "answer");
    const count = (answer.citations || []).length;
    for (const line of String(answer.answer || "").split("\n")) {
      if (line.trim()) body.append(answerLine(line, prefix, count));
    }
    item.append(body);
    if (count) {
      const sources = el("section", "sources");
      const heading = el("h3", "", t("sources"));
      heading.id = prefix + "-sources";
      sources.setAttribute("aria-labelledby", heading.id);
      const list = el("ol");
      answer.citations.forEach((c, i) => list.append(sourceItem(c, i + 1, prefix)));
      sources.append(heading, list);
      item.append(sources);
    }
    if (answer.answer_id) item.append(feedbackControls(answer.answer_id));
    log.append(item);
    return item;
  }

  function errorMessage(text) {
    const item = el("li", "msg bot error");
    item.append(el("span", "who", t("bot")), el("p", "line", text));
    log.append(item);
  }

  async function ask(question) {
    userMessage(question);
    const waiting = el("li", "msg bot waiting", t("working"));
    log.append(waiting);
    send.disabled = true;
    try {
      const response = await fetch("/api/ask", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ question: question, conversation_id: conversationId() }),
      });
      const body = await response.json().catch(() => ({}));
      waiting.remove();
      if (!response.ok) {
        errorMessage(body.error || t("error"));
      } else {
        const item = botMessage(body);
        item.scrollIntoView({ block: "start", behavior: "smooth" });
      }
    } catch (err) {
      waiting.remove();
      errorMessage(t("error"));
    } finally {
      send.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = box.value.trim();
    if (!question || send.disabled) return;
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
    log.replaceChildren();
    box.focus();
  });
})();
