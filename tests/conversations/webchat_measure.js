// Measurements of the web chat page for the browser tests (tests/conversations/webchat_page.py).
// Each returns plain data; the Python side decides what is a problem.
({
  overflow() {
  const problems = [];
  const describe = (node) => (node.className || node.tagName) + " «" + (node.textContent || "").trim().slice(0, 40) + "»";
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push("page scrolls sideways: " + root.scrollWidth + " > " + root.clientWidth);
  const log = document.getElementById("log");
  if (log.scrollWidth > log.clientWidth + 1) problems.push("chat log scrolls sideways");
  const box = log.getBoundingClientRect();
  const messages = document.querySelectorAll("#log .msg");
  for (const message of messages) {
    const rect = message.getBoundingClientRect();
    if (rect.width === 0) continue;
    if (message.scrollWidth > message.clientWidth + 1) problems.push("message wider than its bubble: " + describe(message));
    if (rect.left < box.left - 1 || rect.right > box.right + 1) problems.push("message outside the chat: " + describe(message));
    for (const node of message.querySelectorAll("*")) {
      const style = getComputedStyle(node);
      if (style.display === "inline" || node.clientWidth === 0) continue;
      const scroller = style.overflowX === "auto" || style.overflowX === "scroll";
      if (!scroller && node.scrollWidth > node.clientWidth + 1) problems.push("cut off: " + describe(node));
      const own = Array.from(node.childNodes).filter((c) => c.nodeType === 3).map((c) => c.textContent).join("").trim();
      // Squeezed to a character or two per line: three or more lines, each under 2.5 characters wide.
      const size = parseFloat(style.fontSize);
      const line = parseFloat(style.lineHeight) || size * 1.45;
      const own_rect = node.getBoundingClientRect();
      if (own.length >= 3 && own_rect.height >= line * 2.5 && own_rect.width < size * 2.5) problems.push("one character per line: " + describe(node));
    }
  }
  return {problems, count: messages.length};
},
  contrast() {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(",").map((x) => parseFloat(x)); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, bottom) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]); };
  const background = (node) => {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const results = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = Array.from(node.childNodes).filter((c) => c.nodeType === 3).map((c) => c.textContent).join("").trim();
    if (!own || !/[\p{L}\p{N}]/u.test(own)) continue;
    const rect = node.getBoundingClientRect(); const style = getComputedStyle(node);
    if (rect.width === 0 || style.visibility === "hidden" || node.closest("[hidden], dialog:not([open])")) continue;
    const bg = background(node); const fg = over(parse(style.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    results.push({text: own.slice(0, 30), ratio: (l1 + 0.05) / (l2 + 0.05)});
  }
  return results;
},
  unlabelled() {
  const missing = [];
  const name = (node) => {
    if (node.getAttribute("aria-label")) return node.getAttribute("aria-label").trim();
    const by = node.getAttribute("aria-labelledby");
    if (by) return by.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
    if (node.labels && node.labels.length) return Array.from(node.labels).map((l) => l.textContent).join(" ").trim();
    if (node.tagName === "BUTTON" || node.tagName === "A") return node.textContent.trim().replace(/[\u2700-\u27bf\ud800-\udfff]/g, "").trim();
    return "";
  };
  for (const node of document.querySelectorAll("input:not([type=hidden]):not([hidden]), textarea, select, button, a[href]")) {
    if (!name(node)) missing.push(node.outerHTML.slice(0, 80));
  }
  return missing;
},
})
