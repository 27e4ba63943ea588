// The sandbox page: a Telegram-like chat with the bot through the emulated Bot API.
"use strict";

const state = { users: [], current: null, lastChat: "", lastCall: 0, lastUsers: "", lastMenu: "",
                seenAnswers: new Set(), answersPrimed: false };
const $ = (id) => document.getElementById(id);
const UPLOAD_LIMIT = 20 * 1024 * 1024; // a bot downloads files of at most 20 MB (web.UPLOAD_LIMIT)

async function api(path, options = {}) {
  const response = await fetch(path, options);
  return response.json();
}

function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

// Called on every refresh: a role the bot gives or takes (a /forget) shows at once.
async function loadUsers() {
  state.users = (await api("/sandbox/api/users")).users;
  const snapshot = JSON.stringify([state.users, state.current]);
  if (snapshot === state.lastUsers) return;
  state.lastUsers = snapshot;
  const list = $("user-list");
  list.replaceChildren(...state.users.map((user) => {
    const item = document.createElement("li");
    item.dataset.userId = user.id;
    item.className = user.id === state.current ? "active" : "";
    item.textContent = user.first_name;
    const detail = document.createElement("small");
    detail.textContent = `${user.role}, app language ${user.language_code || "none"}${user.blocked ? ", blocked the bot" : ""}`;
    item.append(detail);
    item.addEventListener("click", () => choose(user.id));
    return item;
  }));
  showHints();
}

// Who you are and what you may try: everyone's commands, then those of the roles the bot sees you hold.
function showHints() {
  const user = state.users.find((u) => u.id === state.current);
  const hint = $("chat-hint");
  hint.hidden = !user;
  if (!user) return;
  const title = document.createElement("div");
  // The bot sets a staff member's own menu once they have written to it (bot/handlers/menu.py).
  const menu = user.hints.length > 1 ? " (☰ Menu lists the staff commands after /help or /language)" : "";
  title.textContent = `You are ${user.first_name} · ${user.role}. You may try${menu}:`;
  hint.replaceChildren(title, ...user.hints.map((line) => {
    const item = document.createElement("div");
    item.dataset.role = line.role;
    const who = document.createElement("b");
    who.textContent = line.who + ": ";
    item.append(who, line.text);
    return item;
  }));
}

function showNote(text) {
  $("note").textContent = text;
  $("note").hidden = !text;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function choose(userId) {
  state.current = userId;
  state.lastChat = "";
  state.lastMenu = "";
  state.seenAnswers = new Set();
  state.answersPrimed = false; // answers from before the switch are not shown again
  $("command-menu").hidden = true;
  const user = state.users.find((u) => u.id === userId);
  $("chat-title").textContent = `${user.first_name} — chat with the bot`;
  for (const id of ["text", "send", "block", "upload"]) $(id).disabled = false;
  showNote("");
  loadUsers();
  refresh();
  $("text").focus();
}

function renderMessage(message) {
  const bubble = document.createElement("div");
  bubble.className = "msg " + (message.from_bot ? "bot" : "user");
  bubble.dataset.messageId = message.message_id;
  if (message.photo) {
    const image = document.createElement("img");
    image.src = message.photo;
    bubble.append(image);
  }
  if (message.document) {
    const file = document.createElement("div");
    file.className = "document";
    const link = document.createElement("a");
    link.href = message.document.url;
    link.download = message.document.name;
    link.textContent = "📄 " + message.document.name;
    file.append(link);
    if (message.document.size != null) file.append(` · ${size(message.document.size)}`);
    bubble.append(file);
  }
  const text = document.createElement("div");
  text.className = "text";
  text.innerHTML = message.html; // built server-side from Telegram entities, every text part escaped
  bubble.append(text);
  if (message.edited) {
    const mark = document.createElement("span");
    mark.className = "edited";
    mark.textContent = "edited";
    text.append(mark);
  }
  if (message.buttons.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    for (const row of message.buttons) {
      const line = document.createElement("div");
      line.className = "row";
      for (const button of row) {
        const element = document.createElement("button");
        element.type = "button";
        element.textContent = button.text;
        element.addEventListener("click", () => {
          if (button.url) window.open(button.url, "_blank", "noopener");
          else post(`/sandbox/api/chat/${state.current}/press`, { message_id: message.message_id, data: button.data }).then(refresh);
        });
        line.append(element);
      }
      keyboard.append(line);
    }
    bubble.append(keyboard);
  }
  return bubble;
}

function renderCalls(calls) {
  const list = $("call-list");
  for (const call of calls) {
    state.lastCall = Math.max(state.lastCall, call.seq);
    const item = document.createElement("li");
    item.className = call.ok ? "ok" : "refused";
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = call.method;
    if (call.chat) { // whom the call was for
      const chat = document.createElement("span");
      chat.className = "chat";
      chat.textContent = ` · ${call.chat}`;
      summary.append(chat);
    }
    if (!call.ok) summary.append(` → ${call.error_code} ${call.description}`);
    const body = document.createElement("pre");
    body.textContent = JSON.stringify(call.params, null, 1);
    details.append(summary, body);
    item.append(details);
    list.append(item);
  }
  applyFilter();
  if (calls.length) $("calls").scrollTop = $("calls").scrollHeight;
}

function applyFilter() {
  const onlyErrors = $("only-errors").checked;
  for (const item of $("call-list").children) item.hidden = onlyErrors && item.className !== "refused";
}

async function refresh() {
  if (state.current === null) return;
  const chat = await api(`/sandbox/api/chat/${state.current}?calls_after=${state.lastCall}`);
  renderCalls(chat.calls);
  showAnswers(chat.answers);
  renderMenu(chat.commands);
  loadUsers();
  const snapshot = JSON.stringify(chat.messages);
  if (snapshot !== state.lastChat) {
    state.lastChat = snapshot;
    $("messages").replaceChildren(...chat.messages.map(renderMessage));
    $("messages").scrollTop = $("messages").scrollHeight;
  }
  $("block").textContent = chat.blocked ? "Unblock bot" : "Block bot";
}

// How the bot answered a button press: a toast that fades, or an alert to dismiss, as Telegram shows them.
function showAnswers(answers) {
  for (const answer of answers) {
    if (state.seenAnswers.has(answer.id)) continue;
    state.seenAnswers.add(answer.id);
    if (!state.answersPrimed || !answer.text) continue;
    if (answer.alert) {
      $("alert-text").textContent = answer.text;
      if (!$("alert").open) $("alert").showModal();
    } else {
      showToast(answer.text);
    }
  }
  state.answersPrimed = true;
}

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { toast.hidden = true; }, 4000);
}

// The command menu Telegram would show this person (the bot sets it per language and per chat).
function renderMenu(commands) {
  const snapshot = JSON.stringify(commands);
  if (snapshot === state.lastMenu) return;
  state.lastMenu = snapshot;
  $("menu").disabled = !commands.length;
  $("command-menu").replaceChildren(...commands.map((command) => {
    const item = document.createElement("li");
    const name = document.createElement("b");
    name.textContent = "/" + command.command;
    item.append(name, command.description);
    item.addEventListener("click", async () => {
      $("command-menu").hidden = true;
      await post(`/sandbox/api/chat/${state.current}/send`, { text: "/" + command.command });
      refresh();
    });
    return item;
  }));
  if (!commands.length) $("command-menu").hidden = true;
}

$("menu").addEventListener("click", () => { $("command-menu").hidden = !$("command-menu").hidden; });

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim() || state.current === null) return;
  $("text").value = "";
  await post(`/sandbox/api/chat/${state.current}/send`, { text });
  refresh();
});

// One message per file, as Telegram sends them; what is in the message box goes as the first one's caption.
$("upload").addEventListener("change", async () => {
  const files = [...$("upload").files];
  $("upload").value = "";
  if (!files.length || state.current === null) return;
  const large = files.find((file) => file.size > UPLOAD_LIMIT);
  if (large) {
    const megabytes = (Math.ceil(large.size / 1024 / 1024 * 10) / 10).toFixed(1); // rounded up, as web.too_large
    showNote(`${large.name} is ${megabytes} MB: a bot can download files of at most 20 MB, so it is not sent.`);
    return;
  }
  showNote("");
  let caption = $("text").value.trim();
  $("text").value = "";
  for (const file of files) {
    const form = new FormData();
    form.append("document", file);
    if (caption) form.append("caption", caption);
    caption = "";
    const answer = await api(`/sandbox/api/chat/${state.current}/upload`, { method: "POST", body: form });
    if (answer.error) { showNote(answer.error); break; }
  }
  refresh();
});

$("block").addEventListener("click", async () => {
  const blocked = $("block").textContent === "Block bot";
  await post(`/sandbox/api/chat/${state.current}/block`, { blocked });
  await loadUsers();
  refresh();
});

$("add-user").addEventListener("submit", async (event) => {
  event.preventDefault();
  const created = await post("/sandbox/api/users", {
    first_name: $("new-name").value, language_code: $("new-language").value, role: $("new-role").value,
  });
  $("new-name").value = "";
  await loadUsers();
  if (created.id) choose(created.id);
});

function showClock(clock) {
  $("clock-now").textContent = `${clock.label} ${clock.timezone}`;
  $("clock-now").dateTime = clock.iso;
  $("clock-window").textContent = clock.window ? `· ${clock.window} window` : "· no reminder window";
  $("clock-date").min = clock.tomorrow;
}

async function loadClock() {
  showClock(await api("/sandbox/api/clock"));
}

// The answer comes once the reminder round that the move runs has sent what was due.
async function moveClock(body) {
  const buttons = $("clock").querySelectorAll("button");
  for (const button of buttons) button.disabled = true;
  try {
    const clock = await post("/sandbox/api/clock", body);
    if (clock.error) {
      $("clock-date").setCustomValidity(clock.error);
      $("clock-date").reportValidity();
    } else {
      showClock(clock);
    }
  } finally {
    for (const button of buttons) button.disabled = false;
  }
  refresh();
}

$("next-day").addEventListener("click", () => moveClock({ days: 1 }));
$("next-week").addEventListener("click", () => moveClock({ days: 7 }));
$("clock-date").addEventListener("input", () => $("clock-date").setCustomValidity(""));
$("clock").addEventListener("submit", (event) => {
  event.preventDefault();
  moveClock({ date: $("clock-date").value });
});

$("only-errors").addEventListener("change", applyFilter);
loadUsers();
loadClock();
setInterval(refresh, 700);
setInterval(loadClock, 15000); // the bot's clock runs on with real time between moves
