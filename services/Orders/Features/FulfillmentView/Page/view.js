// The fulfillment saga's execution view: the state machine as the service runs it (GET /api/fulfillment/graph)
// and, for one order, the path it took, the time it spent in each state and the messages it took and sent
// (GET /api/orders/{orderId}/execution), refreshed every second while the page is open.
"use strict";

const TokenKey = "ecommerce-eda-token";
const RefreshMs = 1000;
const Node = { width: 170, height: 46 };
const Grid = { left: 250, top: 30, column: 340, row: 96 }; // room on the left for transitions that skip states
const Svg = "http://www.w3.org/2000/svg";

const status = document.getElementById("status");
const graphSvg = document.getElementById("graph");
const historyBody = document.querySelector("#history tbody");
const orderInput = document.getElementById("order");
const tokenInput = document.getElementById("token");

let graph = null;   // { states: [{ state, row, column }], transitions: [{ from, message, messageType, to }] }
let timer = null;
let loading = false; // one request at a time: a slow answer must not land after a newer one

function element(name, attributes = {}, parent = null) {
  const node = document.createElementNS(Svg, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

function center(node) {
  return { x: Grid.left + node.column * Grid.column, y: Grid.top + node.row * Grid.row + Node.height / 2 };
}

// A transition: straight down to the next row, round the left of the column when it skips rows,
// out to the right towards a state beside the happy path.
function edgeShape(from, to) {
  const a = center(from), b = center(to), w = Node.width / 2, h = Node.height / 2;
  if (from.column === to.column && to.row === from.row + 1) {
    return { d: `M${a.x} ${a.y + h} L${b.x} ${b.y - h}`, label: { x: a.x + 8, y: (a.y + b.y) / 2 + 4, anchor: "start" } };
  }
  if (from.column === to.column) {
    const bend = 40 + 12 * (to.row - from.row);
    return {
      d: `M${a.x - w} ${a.y} C${a.x - w - bend} ${a.y} ${b.x - w - bend} ${b.y} ${b.x - w} ${b.y}`,
      label: { x: a.x - w - bend / 2, y: (a.y + b.y) / 2 + 4, anchor: "end" },
    };
  }
  const [start, end] = from.column < to.column ? [a.x + w, b.x - w] : [a.x - w, b.x + w];
  return {
    d: `M${start} ${a.y} C${(start + end) / 2} ${a.y} ${(start + end) / 2} ${b.y} ${end} ${b.y}`,
    label: { x: start + 8, y: a.y - 6, anchor: "start" },
  };
}

function drawGraph() {
  graphSvg.replaceChildren();
  const nodes = new Map(graph.states.map(node => [node.state, node]));
  const columns = Math.max(...graph.states.map(n => n.column)) + 1;
  const rows = Math.max(...graph.states.map(n => n.row)) + 1;
  graphSvg.setAttribute("width", Grid.left + (columns - 1) * Grid.column + Node.width / 2 + 20);
  graphSvg.setAttribute("height", Grid.top + (rows - 1) * Grid.row + Node.height + 20);

  const defs = element("defs", {}, graphSvg);
  const marker = element("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto",
  }, defs);
  element("path", { d: "M0 0 L10 5 L0 10 z", fill: "#8c959f" }, marker);

  // One arrow per pair of states, labelled with every message that moves the saga along it.
  const pairs = Map.groupBy(graph.transitions, t => `${t.from}→${t.to}`);
  for (const [key, transitions] of pairs) {
    const { from, to } = transitions[0];
    const shape = edgeShape(nodes.get(from), nodes.get(to));
    const g = element("g", { class: "edge", "data-edge": key }, graphSvg);
    element("path", { d: shape.d, "marker-end": "url(#arrow)" }, g);
    transitions.forEach((t, i) => {
      const text = element("text", { x: shape.label.x, y: shape.label.y - 13 * (transitions.length - 1 - i), "text-anchor": shape.label.anchor, "data-message-type": t.messageType }, g);
      text.textContent = t.message;
    });
  }

  for (const node of graph.states) {
    const { x, y } = center(node);
    const g = element("g", { class: node.state === "Initial" ? "node initial" : "node", "data-state": node.state }, graphSvg);
    element("rect", { x: x - Node.width / 2, y: y - Node.height / 2, width: Node.width, height: Node.height, rx: 8 }, g);
    element("text", { x, y: y - 2 }, g).textContent = node.state;
    element("text", { x, y: y + 14, class: "time" }, g);
  }
}

function seconds(ms) {
  return ms < 10000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

// Each state the order entered, when, and for how long (the current one until the service's answer).
function visits(execution, now) {
  const changes = execution.steps.filter(step => step.from !== step.to);
  return changes.map((step, i) => {
    const entered = Date.parse(step.at);
    const left = i + 1 < changes.length ? Date.parse(changes[i + 1].at) : null;
    return { state: step.to, entered, ms: (left ?? now) - entered, current: left === null };
  });
}

function node(state) {
  return graphSvg.querySelector(`.node[data-state="${CSS.escape(state)}"]`);
}

// A state the machine never leaves: the order is done, its time there no longer counts.
function isFinal(state) {
  return !graph.transitions.some(t => t.from === state);
}

function showExecution(execution) {
  const now = Date.parse(execution.asOf);
  for (const g of graphSvg.querySelectorAll(".node")) {
    g.classList.remove("visited", "current");
    g.querySelector(".time").textContent = "";
  }
  for (const g of graphSvg.querySelectorAll(".edge")) g.classList.remove("taken");

  for (const visit of visits(execution, now)) {
    const g = node(visit.state);
    if (!g) continue;
    g.classList.add(visit.current ? "current" : "visited");
    g.querySelector(".time").textContent = !visit.current ? seconds(visit.ms) : isFinal(visit.state) ? "done" : `now, for ${seconds(visit.ms)}`;
  }
  for (const step of execution.steps.filter(s => s.from !== s.to)) {
    graphSvg.querySelector(`.edge[data-edge="${CSS.escape(`${step.from}→${step.to}`)}"]`)?.classList.add("taken");
    if (step.from === "Initial") node(step.from)?.classList.add("visited");
  }

  const start = execution.steps.length ? Date.parse(execution.steps[0].at) : now;
  historyBody.replaceChildren(...execution.steps.map(step => {
    const row = document.createElement("tr");
    row.dataset.step = step.step;
    const cells = [
      step.step,
      `+${seconds(Date.parse(step.at) - start)}`,
      step.message,
      step.from === step.to ? `${step.from} (no change)` : `${step.from} → ${step.to}`,
    ];
    for (const value of cells) row.insertCell().textContent = value;
    const sent = row.insertCell();
    sent.className = "sent";
    for (const message of step.sent) {
      const line = document.createElement("div");
      line.textContent = message.message + (message.notBefore ? ` (timer, due ${new Date(message.notBefore).toLocaleTimeString()})` : "")
        + (message.cancelledBy ? ` — cancelled at step ${message.cancelledBy}`
          : message.published ? "" : " — waiting in the outbox");
      if (!message.published && !message.cancelledBy) line.className = "pending";
      sent.appendChild(line);
    }
    for (const timer of step.cancelled) {
      const line = document.createElement("div");
      line.textContent = `cancelled ${timer.message} (the timer of step ${timer.setBy})`;
      line.className = "cancelled";
      sent.appendChild(line);
    }
    return row;
  }));
}

function say(text, error = false) {
  status.textContent = text;
  status.classList.toggle("error", error);
}

async function getWithToken(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${tokenInput.value.trim()}` } });
  if (response.ok) return response.json();
  const reasons = {
    401: "The token was refused: create one with dotnet user-jwts (see the README).",
    403: "The token has neither the customer nor the operator role.",
    404: "No such order (or not one of this customer's).",
  };
  throw new Error(reasons[response.status] ?? `The service answered ${response.status}.`);
}

async function loadGraph() {
  const response = await fetch("/api/fulfillment/graph"); // anonymous: it describes the code, as the API document does
  if (!response.ok) throw new Error(`The service answered ${response.status} for the state machine.`);
  graph = await response.json();
  drawGraph();
}

async function refresh() {
  const orderId = orderInput.value.trim();
  if (!orderId || loading) return;
  loading = true;
  try {
    const execution = await getWithToken(`/api/orders/${encodeURIComponent(orderId)}/execution`);
    showExecution(execution);
    say(`Order ${execution.orderId} is ${execution.state} · live, updated ${new Date().toLocaleTimeString()}`);
    document.body.dataset.state = execution.state;
  } catch (error) {
    say(error.message, true);
  } finally {
    loading = false;
  }
}

function follow() {
  clearInterval(timer);
  sessionStorage.setItem(TokenKey, tokenInput.value.trim());
  const url = new URL(location.href);
  url.searchParams.set("order", orderInput.value.trim());
  history.replaceState(null, "", url);
  refresh();
  timer = setInterval(refresh, RefreshMs);
}

document.getElementById("lookup").addEventListener("submit", event => {
  event.preventDefault();
  follow();
});

orderInput.value = new URL(location.href).searchParams.get("order") ?? "";
tokenInput.value = sessionStorage.getItem(TokenKey) ?? "";
loadGraph().then(() => {
  if (tokenInput.value && orderInput.value) follow();
}, error => say(error.message, true));
