// The web chat page: one WebSocket, replies drawn as bubbles, cards, summaries and buttons.
// Texts come from the message catalogs (webchat.* keys, both languages) inlined by the server.
"use strict";
const TEXTS = JSON.parse(document.getElementById("texts").textContent);
const MAX_CHARS = 2000;  // frames.MAX_TEXT_CHARS: the server refuses longer texts with "too_long"
const COUNT_FROM = 1500;  // the counter appears when a message gets long
const $ = (id) => document.getElementById(id);
const log = $("log");
let lang = localStorage.getItem("chatcart_lang") || ((navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en");
let socket = null, retry = 0, queue = [];

function tr(key, params) {
  let text = (TEXTS[lang] || TEXTS.zh)[key];
  if (text === undefined) text = TEXTS.zh[key] || "";
  for (const [k, v] of Object.entries(params || {})) text = text.split("{" + k + "}").join(String(v));
  return text;
}
function applyTexts() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = tr("title");
  $("title").textContent = tr("title");
  $("textLabel").textContent = tr("message_label");
  $("text").placeholder = tr("placeholder");
  $("send").textContent = tr("send");
  $("photo").setAttribute("aria-label", tr("photo_label"));
  $("photo").title = tr("photo_label");
  $("signinBtn").textContent = tr("sign_in");
  $("signinTitle").textContent = tr("sign_in");
  $("identLabel").textContent = tr("identifier_label");
  $("codeLabel").textContent = tr("code_label");
  $("sendCode").textContent = tr("send_code");
  $("verify").textContent = tr("verify");
  $("closeSignin").setAttribute("aria-label", tr("close"));
  const other = lang === "zh" ? "en" : "zh";
  $("langBtn").textContent = other === "en" ? "EN" : "中文";
  $("langBtn").lang = other === "en" ? "en" : "zh-CN";
  $("langBtn").setAttribute("aria-label", tr("switch_language"));
  updateCounter();
}
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}
function safeUrl(url) {
  if (!url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  try { const u = new URL(url); return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null; } catch (e) { return null; }
}
function scrollDown() { log.scrollTop = log.scrollHeight; }

// --- rows: who says it (avatar + name for people), then the bubble ---------------------------
function row(kind, opts) {
  const r = el("div", "row " + kind + (opts && opts.wide ? " wide" : ""));
  const stack = el("div", "stack");
  if (kind === "agent") {
    const name = (opts && opts.name) || tr("agent");
    const avatar = el("span", "avatar person", Array.from(name)[0].toUpperCase());
    avatar.setAttribute("aria-hidden", "true");
    r.appendChild(avatar);
    stack.appendChild(el("div", "who person", name));
  } else if (kind === "bot") {
    const avatar = el("span", "avatar", "🛍");
    avatar.setAttribute("aria-hidden", "true");
    r.appendChild(avatar);
  }
  r.appendChild(stack);
  log.appendChild(r);
  return stack;
}
function addCustomer(text, images) {
  const bubble = el("div", "msg me", text || null);
  bubble.dataset.type = "customer";
  for (const url of images || []) {
    const safe = safeUrl(url);
    if (!safe) continue;
    const img = el("img", "photo"); img.src = safe; img.alt = tr("photo_sent"); bubble.appendChild(img);
  }
  row("me").appendChild(bubble);
  scrollDown();
  return bubble;
}
function addError(text) {
  const bubble = el("div", "msg error", text);
  bubble.dataset.type = "error";
  bubble.setAttribute("role", "alert");
  row("system").appendChild(bubble);
  scrollDown();
}

// --- buttons -----------------------------------------------------------------------------------
function buttonRow(buttons, context) {
  const chips = el("div", "chips");
  for (const b of buttons || []) {
    const url = safeUrl(b.url);
    if (url) {
      const a = el("a", "btn primary", b.label);
      a.href = url; a.target = "_blank"; a.rel = "noopener"; a.dataset.payload = b.payload;
      chips.appendChild(a);
      continue;
    }
    // On a card the picture and title are right there: "Details" says what the button does,
    // and the accessible name still tells the cards apart.
    let shown = b.label;
    if (context && context.title) {
      if (/^(product|p):/.test(b.payload) && b.label === context.title) shown = tr("details");
      else if (b.payload.startsWith("add:") && b.label.includes(context.title)) shown = tr("add_to_cart");
    }
    const button = el("button", "btn", shown);
    button.type = "button"; button.dataset.payload = b.payload;
    if (shown !== b.label) button.setAttribute("aria-label", shown + " · " + context.title);
    button.addEventListener("click", () => press(b));
    chips.appendChild(button);
  }
  return chips;
}
function press(b) { addCustomer(b.label); send({type: "button", payload: b.payload, label: b.label}); }

// --- replies -------------------------------------------------------------------------------------
function card(item, single) {
  const c = el("div", "card" + (single ? " single" : ""));
  const img = safeUrl(item.image_url);
  if (img) { const i = el("img"); i.src = img; i.alt = tr("product_photo", {title: item.title}); i.loading = "lazy"; c.appendChild(i); }
  const body = el("div", "body");
  body.appendChild(el("div", "title", item.title));
  if (item.price) body.appendChild(el("div", "price", item.price));
  if (item.text) body.appendChild(el("div", "sub", item.text));
  for (const spec of item.specs || []) {
    const line = el("div", "spec"); line.appendChild(el("b", null, spec.name + ": "));
    spec.values.forEach((v, i) => { line.appendChild(el("span", v === spec.selected ? "sel" : null, (i ? " / " : "") + v)); });
    body.appendChild(line);
  }
  if ((item.buttons || []).length) body.appendChild(buttonRow(item.buttons, single ? null : {title: item.title}));
  c.appendChild(body);
  return c;
}
function summary(reply) {
  const box = el("div", "summary");
  const line = (label, value, cls, amount) => {
    const l = el("div", "line" + (cls ? " " + cls : ""));
    l.appendChild(el("span", "label", label));
    // An address gets a line of its own under its label, read left to right.
    const kind = amount ? " amount" : Array.from(value).length > 14 ? " block" : "";
    l.appendChild(el("span", "value" + kind, value));
    box.appendChild(l);
  };
  // Amounts never wrap (a cut "¥250.2" misleads); other values (an address) wrap.
  for (const item of reply.lines) line(item.label, item.value, null, /^-?\s*[¥$€£]?\s*-?[\d.,]+\s*$|^[-]?[¥$€£]/.test(item.value));
  line(tr("total"), reply.total, "total", true);
  return box;
}
function paymentBox(reply) {
  const box = el("div", "pay");
  const hasLink = (reply.buttons || []).some((b) => b.url);
  const buttons = hasLink ? reply.buttons : [{label: tr("pay_now"), payload: "payurl", url: reply.url}, ...(reply.buttons || [])];
  box.appendChild(buttonRow(buttons));
  return box;
}
function render(reply, who) {
  const fromPerson = who === "agent" || (reply.agent_name && reply.type !== "handoff");
  const bubble = el("div", "msg " + (fromPerson ? "agent" : "bot"));
  bubble.dataset.type = reply.type;
  let stack;
  if (reply.type === "handoff") {
    const personLine = reply.status === "agent" || reply.status === "released";
    bubble.className = "msg " + (personLine ? "person-line" : "notice");
    stack = row("system");
  } else if (fromPerson) {
    stack = row("agent", {name: reply.agent_name});
  } else {
    stack = row("bot", {wide: reply.type === "carousel"});
  }
  if (reply.type === "product") {
    bubble.appendChild(card(reply, true));
  } else if (reply.type === "carousel") {
    bubble.appendChild(el("div", null, reply.text));
    const cards = el("div", "cards");
    for (const item of reply.items) cards.appendChild(card(item, false));
    bubble.appendChild(cards);
    if (reply.pages > 1) bubble.appendChild(el("div", "page", tr("page", {page: reply.page, pages: reply.pages})));
  } else if (reply.type === "order_summary") {
    bubble.appendChild(el("div", null, reply.text));
    bubble.appendChild(summary(reply));
  } else if (reply.type === "payment_link") {
    bubble.appendChild(el("div", null, reply.text));
    bubble.appendChild(paymentBox(reply));
  } else {
    bubble.appendChild(el("div", null, reply.text));
  }
  // A product card draws its own buttons; a payment box its own.
  if (reply.type !== "product" && reply.type !== "payment_link" && (reply.buttons || []).length) {
    bubble.appendChild(buttonRow(reply.buttons));
  }
  stack.appendChild(bubble);
}
function showReplies(replies, who) { for (const r of replies) render(r, who); scrollDown(); }
function showHistory(messages) {
  log.textContent = "";
  if (messages.length) log.appendChild(el("div", "earlier", tr("earlier")));
  for (const m of messages) {
    if (m.who === "customer") addCustomer(m.text, m.images);
    else if (m.reply) render(m.reply, m.who);
  }
  scrollDown();
}
function frameSeen() { log.dataset.frames = String(Number(log.dataset.frames || "0") + 1); }

// --- connection ------------------------------------------------------------------------------------
function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  else queue.push(frame);
}
function connect() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  $("status").textContent = tr("connecting");
  socket = new WebSocket(proto + "//" + location.host + "/chat/ws");
  socket.onopen = () => {
    retry = 0;
    socket.send(JSON.stringify({type: "hello", token: localStorage.getItem("chatcart_token"), lang: lang}));
  };
  socket.onmessage = (event) => {
    let frame; try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "welcome") {
      // A returning customer's conversation keeps its language; a new one takes the page's.
      if (localStorage.getItem("chatcart_token") === frame.token) followLanguage(frame.lang);
      localStorage.setItem("chatcart_token", frame.token);
      $("status").textContent = "";
      const pending = queue; queue = [];
      for (const f of pending) socket.send(JSON.stringify(f));
    } else if (frame.type === "history") {
      showHistory(frame.messages || []);
    } else if (frame.type === "replies" || frame.type === "push") {
      followLanguage(frame.lang);
      showReplies(frame.replies || [], "bot");
    } else if (frame.type === "error") {
      showServerError(frame);
    } else if (frame.type === "otp_sent" || frame.type === "otp_failed") {
      $("signinMsg").textContent = frame.text || "";
    } else if (frame.type === "signed_in") {
      $("signinMsg").textContent = frame.text || "";
      const notice = el("div", "msg notice", frame.text || ""); notice.dataset.type = "signed_in";
      row("system").appendChild(notice);
      localStorage.setItem("chatcart_who", frame.who || "");
      setTimeout(() => $("signin").close(), 800);
    }
    frameSeen();
  };
  socket.onclose = () => {
    $("status").textContent = tr("offline");
    const delay = Math.min(15000, 500 * 2 ** retry++);
    setTimeout(connect, delay);
  };
}
function followLanguage(next) {
  if ((next === "zh" || next === "en") && next !== lang) {
    lang = next;
    localStorage.setItem("chatcart_lang", lang);
    applyTexts();
  }
}
function showServerError(frame) {
  if (frame.code === "unavailable") addError(frame.text || tr("bad_frame"));  // the database is down: try later
  else if (frame.code === "too_long") addError(tr("too_long", {count: "> " + (frame.max || MAX_CHARS), max: frame.max || MAX_CHARS}));
  else addError(tr("bad_frame"));
}

// --- the message box: a counter near the limit, a clear error over it ------------------------------
function updateCounter() {
  const count = Array.from($("text").value).length;
  const over = count > MAX_CHARS;
  $("counter").textContent = count >= COUNT_FROM ? tr("counter", {count: count, max: MAX_CHARS}) : "";
  $("counter").classList.toggle("over", over);
  $("text").setAttribute("aria-invalid", over ? "true" : "false");
  $("send").disabled = over;
  const box = $("error");
  if (over) { box.textContent = tr("too_long", {count: count, max: MAX_CHARS}); box.hidden = false; }
  else if (box.dataset.kind !== "upload") { box.hidden = true; box.textContent = ""; }
}
function showBarError(text) {
  const box = $("error"); box.textContent = text; box.dataset.kind = "upload"; box.hidden = false;
  setTimeout(() => { box.dataset.kind = ""; updateCounter(); }, 6000);
}
$("text").addEventListener("input", updateCounter);
$("bar").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value.trim();
  if (!text) return;
  if (Array.from(text).length > MAX_CHARS) { updateCounter(); $("text").focus(); return; }
  addCustomer(text);
  send({type: "text", text: text});
  $("text").value = "";
  updateCounter();
});
$("langBtn").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("chatcart_lang", lang);
  applyTexts();
  send({type: "text", text: "/lang " + lang});
});
$("signinBtn").addEventListener("click", () => { $("signinMsg").textContent = ""; $("signin").showModal(); });
$("sendCode").addEventListener("click", () => send({type: "otp_request", identifier: $("ident").value.trim()}));
$("verify").addEventListener("click", () => send({type: "otp_verify", identifier: $("ident").value.trim(), code: $("code").value.trim()}));
$("photo").addEventListener("click", () => $("file").click());
$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (!file) return;
  let response;
  try {
    response = await fetch("/chat/upload", {method: "POST", body: file,
      headers: {"X-Chat-Token": localStorage.getItem("chatcart_token") || ""}});
  } catch (e) { response = null; }
  $("file").value = "";
  if (!response || !response.ok) {
    const status = response ? response.status : 0;
    showBarError(status === 413 ? tr("upload_too_large") : status === 422 ? tr("upload_not_image") : tr("upload_failed"));
    return;
  }
  const data = await response.json();
  addCustomer("", [data.url]);
  send({type: "image", urls: [data.url]});
});
applyTexts();
connect();
