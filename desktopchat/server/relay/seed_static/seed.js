// The seed's web chat, fixed: every message is put into the page with textContent, never
// as HTML (the seed appended '<p>' + data.msg + '</p>', so a message could run script).
// It loads recent history first, then appends what arrives on the seed channel; edits and
// deletes from the desktop app replace the message they name. The server fills in the
// Pusher settings (#seed-config); the page holds no secret.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("seed-config").textContent);
  var list = document.getElementById("messages");
  var form = document.getElementById("send-form");
  var nameBox = document.getElementById("name");
  var messageBox = document.getElementById("message");
  var errorLine = document.getElementById("error");
  var statusLine = document.getElementById("status");
  var notifyButton = document.getElementById("notify");
  var shown = {}; // message id -> its <p>, so nothing shows twice and edits find their line
  var ownIds = {};
  var pending = null; // {text, clientId}: a send that may have reached the server

  function randomId() {
    // crypto.randomUUID needs a secure context; a hub on the LAN is plain http.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // The parts of an event: the author's name and the text, or the seed's bare msg.
  function partsOf(data) {
    var msg = typeof data.msg === "string" ? data.msg : String(data.msg);
    var name = typeof data.name === "string" ? data.name : null;
    if (data.deleted || data.event === "message-deleted") {
      return { name: name, text: "(deleted)", deleted: true };
    }
    var prefix = data.event === "message-updated" ? name + " (edited): " : name + ": ";
    if (name !== null && msg.indexOf(prefix) === 0) {
      return { name: name, text: msg.slice(prefix.length), edited: !!data.edited };
    }
    return { name: null, text: msg };
  }

  function fill(line, data) {
    var parts = partsOf(data);
    line.textContent = "";
    line.className = (data.web ? "web" : "") + (parts.deleted ? " deleted" : "");
    if (parts.name !== null) {
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = parts.name + ":";
      line.appendChild(name);
      line.appendChild(document.createTextNode(" "));
    }
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = parts.text;
    line.appendChild(text);
    if (parts.edited || data.event === "message-updated") {
      line.appendChild(document.createTextNode(" "));
      var mark = document.createElement("span");
      mark.className = "edited";
      mark.textContent = "(edited)";
      line.appendChild(mark);
    }
    return parts;
  }

  function show(data) {
    var known = typeof data.id === "number" ? shown[data.id] : undefined;
    if (known) {
      if (data.event === "message-updated" || data.event === "message-deleted") {
        fill(known, data);
      }
      return null;
    }
    var line = document.createElement("p");
    if (typeof data.id === "number") {
      line.dataset.id = String(data.id);
      shown[data.id] = line;
    }
    var parts = fill(line, data);
    var atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.appendChild(line);
    if (atBottom) {
      list.scrollTop = list.scrollHeight;
    }
    return parts;
  }

  function notify(data, parts) {
    if (!("Notification" in window) || Notification.permission !== "granted") {
      return;
    }
    if (!document.hidden || ownIds[data.id] || data.event !== "message") {
      return;
    }
    new Notification(parts.name || "Chat", { body: parts.text, tag: "desktopchat-seed" });
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = !text;
  }

  function loadHistory() {
    return fetch(config.historyUrl)
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) {
            throw new Error(body.error ? body.error.message : "HTTP " + response.status);
          }
          body.messages.forEach(show);
          list.scrollTop = list.scrollHeight;
          document.body.dataset.history = "loaded";
        });
      })
      .catch(function (error) {
        document.body.dataset.history = "failed";
        showError("Could not load earlier messages: " + error.message);
      });
  }

  function send(event) {
    event.preventDefault();
    var text = messageBox.value;
    if (!text.trim()) {
      return;
    }
    if (!pending || pending.text !== text) {
      pending = { text: text, clientId: randomId() };
    }
    var body = new URLSearchParams();
    body.set("message", text);
    body.set("name", nameBox.value);
    body.set("client_id", pending.clientId);
    try {
      localStorage.setItem("seed-name", nameBox.value);
    } catch (ignored) {
      // private mode: the name is just not remembered
    }
    fetch(config.sendUrl, { method: "POST", body: body })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            var wait = response.headers.get("Retry-After");
            var why = answer.error ? answer.error.message : "HTTP " + response.status;
            throw new Error(wait ? why + " (retry in " + wait + " s)" : why);
          }
          ownIds[answer.id] = true;
          pending = null;
          if (messageBox.value === text) {
            messageBox.value = "";
          }
          showError("");
        });
      })
      .catch(function (error) {
        // The text stays in the box, and a resend reuses its client id: nothing is lost
        // and nothing is stored twice.
        showError("Not sent: " + error.message);
      });
  }

  function setUpNotifications() {
    if (!("Notification" in window) || Notification.permission !== "default") {
      return;
    }
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () {
        notifyButton.hidden = Notification.permission !== "default";
      });
    });
  }

  try {
    nameBox.value = localStorage.getItem("seed-name") || "";
  } catch (ignored) {
    // no storage: start with an empty name
  }
  form.addEventListener("submit", send);
  setUpNotifications();

  var pusher = new Pusher(config.key, config.options);
  pusher.connection.bind("state_change", function (states) {
    statusLine.textContent = states.current;
    statusLine.className = "status " + states.current;
    document.body.dataset.connection = states.current;
  });
  var channel = pusher.subscribe(config.channel);
  // Subscribe at once, so nothing is missed while history loads; ids drop what both bring.
  channel.bind("pusher:subscription_succeeded", function () {
    document.body.dataset.subscribed = "yes";
  });
  var early = []; // live events that came before history: shown after it, in order
  function receive(data) {
    var parts = show(data);
    if (parts) {
      notify(data, parts);
    }
  }
  channel.bind(config.event, function (data) {
    if (early !== null) {
      early.push(data);
    } else {
      receive(data);
    }
  });
  loadHistory().then(function () {
    var waiting = early;
    early = null;
    waiting.forEach(receive);
  });
})();
