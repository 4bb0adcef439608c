// Live agent console: a WebSocket brings new messages of the conversations on screen and
// tells when the queue changed; replies are sent with htmx posts and come back through it.
(() => {
  const root = document.getElementById("console");
  if (!root) return;
  const status = document.getElementById("live-status");
  let socket = null;
  let retry = 500;

  function watched() {
    const ids = new Set();
    document.querySelectorAll("[data-conversation]").forEach((el) => ids.add(el.dataset.conversation));
    return Array.from(ids);
  }

  function sendWatch() {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ watch: watched() }));
  }

  // The server renders every message (shop-zone time, labels in the console's language) the
  // same way as the transcript the page loaded; a message already on screen (it came with the
  // panel and again live) is skipped by its key.
  function messageItem(shown) {
    const item = document.createElement("li");
    item.className = (shown.sender || "") + (shown.pressed ? " pressed" : "");
    item.dataset.key = shown.key || "";
    const meta = document.createElement("small");
    meta.textContent = `${shown.time} · ${shown.sender_label}`;
    const text = document.createElement("div");
    text.textContent = shown.text;
    item.append(meta, text);
    if (shown.images && shown.images.length) {
      const photos = document.createElement("div");
      photos.className = "photos";
      shown.images.forEach((url) => {
        const link = document.createElement("a");
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener";
        const img = document.createElement("img");
        img.src = url;
        img.loading = "lazy";
        img.alt = "";
        link.append(img);
        photos.append(link);
      });
      item.append(photos);
    }
    return item;
  }

  function appendMessage(event) {
    const shown = event.shown;
    const open = document.getElementById("conversation");
    if (open && open.dataset.conversation === event.conversation) {
      const list = document.getElementById("transcript");
      if (shown.key && list.querySelector(`li[data-key="${CSS.escape(shown.key)}"]`)) return;
      list.append(messageItem(shown));
      list.scrollTop = list.scrollHeight;
    } else {
      const row = document.querySelector(`#queue [data-conversation="${CSS.escape(event.conversation)}"]`);
      if (row) {
        row.classList.add("unread");
        const preview = row.querySelector(".preview");
        if (preview && event.sender === "customer") preview.textContent = shown.text.slice(0, 60);
      }
    }
  }

  // Waiting times count on between queue refreshes.
  function tickWaits() {
    const template = root.dataset.waited || "{minutes}:{seconds}";
    document.querySelectorAll("#queue .wait[data-since]").forEach((el) => {
      const since = Number(el.dataset.since);
      if (!since) return;
      const seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
      el.textContent = template
        .replace("{minutes}", String(Math.floor(seconds / 60)))
        .replace("{seconds}", String(seconds % 60));
    });
  }

  // A conversation opens at its newest message (the reason for the handoff is there).
  function scrollToNewest() {
    const list = document.getElementById("transcript");
    if (list) list.scrollTop = list.scrollHeight;
  }

  function refreshQueue() {
    if (typeof htmx !== "undefined") htmx.ajax("GET", root.dataset.queue, { target: "#queue", swap: "innerHTML" });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${root.dataset.ws}`);
    socket.addEventListener("open", () => {
      retry = 500;
      status.textContent = status.dataset.connected;
      status.classList.add("on");
      sendWatch();
    });
    socket.addEventListener("message", (message) => {
      const event = JSON.parse(message.data);
      if (event.type === "message") appendMessage(event);
      if (event.type === "queue") refreshQueue();
      if (event.type === "hello") root.dataset.live = event.mode;
    });
    socket.addEventListener("close", () => {
      status.textContent = status.dataset.disconnected;
      status.classList.remove("on");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  document.addEventListener("htmx:afterSwap", (event) => {
    sendWatch();
    if (event.target && event.target.id === "panel") scrollToNewest();
    tickWaits();
  });
  scrollToNewest();
  setInterval(tickWaits, 1000);
  connect();
})();
