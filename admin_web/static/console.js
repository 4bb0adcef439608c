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

  function appendMessage(event) {
    const open = document.getElementById("conversation");
    if (open && open.dataset.conversation === event.conversation) {
      const list = document.getElementById("transcript");
      const item = document.createElement("li");
      item.className = event.sender || "";
      const meta = document.createElement("small");
      const at = event.at ? new Date(event.at) : new Date();
      meta.textContent = at.toTimeString().slice(0, 5) + " · " + (event.sender || "");
      const text = document.createElement("div");
      text.textContent = event.text;
      item.append(meta, text);
      list.append(item);
      list.scrollTop = list.scrollHeight;
    } else {
      const row = document.querySelector(`#queue [data-conversation="${CSS.escape(event.conversation)}"]`);
      if (row) {
        row.classList.add("unread");
        const preview = row.querySelector(".preview");
        if (preview) preview.textContent = event.text.slice(0, 60);
      }
    }
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

  document.addEventListener("htmx:afterSwap", sendWatch);
  const list = document.getElementById("transcript");
  if (list) list.scrollTop = list.scrollHeight;
  connect();
})();
