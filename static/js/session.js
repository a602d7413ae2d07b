/* Session expiry warning. The server signs an educator out after a period without activity
 * (educators.middleware.SessionLifetimeMiddleware) and puts the seconds left on each page.
 * A little before the end this offers to stay signed in; at the end it replaces the page, so no
 * student data stays on the screen of a computer someone walked away from.
 * Loaded with <script defer>; no inline script is needed (strict Content Security Policy). */
(function () {
  "use strict";

  var holder = document.getElementById("session-expiry");
  if (!holder) { return; }

  var idleSeconds = Number(holder.dataset.idleSeconds) || 1800;
  // Warn two minutes before the end (sooner for very short timeouts, as in tests).
  var warnSeconds = Math.min(120, Math.floor(idleSeconds / 4));
  var deadline = 0;
  var warning = null;
  var ended = false;

  function setRemaining(seconds) {
    deadline = Date.now() + Math.max(0, Number(seconds)) * 1000;
  }

  function csrfToken() {
    var field = holder.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function closeWarning() {
    if (warning) { warning.remove(); warning = null; }
  }

  function describe(seconds) {
    if (seconds >= 90) { return "about " + Math.round(seconds / 60) + " minutes"; }
    if (seconds > 1) { return seconds + " seconds"; }
    return "a moment";
  }

  function showWarning(secondsLeft) {
    if (warning) { return; }
    warning = document.createElement("div");
    warning.className = "session-warning";
    warning.setAttribute("role", "alertdialog");
    warning.setAttribute("aria-labelledby", "session-warning-title");
    warning.setAttribute("aria-describedby", "session-warning-text");
    var title = document.createElement("h2");
    title.id = "session-warning-title";
    title.textContent = "Still there?";
    var text = document.createElement("p");
    text.id = "session-warning-text";
    text.textContent = "For privacy you will be signed out in " + describe(secondsLeft) +
      " because there has been no activity. The page will be cleared.";
    var stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = "Stay signed in";
    stay.addEventListener("click", keepAlive);
    warning.append(title, text, stay);
    document.body.append(warning);
    stay.focus();
  }

  function keepAlive() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    fetch(holder.dataset.keepAliveUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("signed out"); }
      return response.json();
    }).then(function (answer) {
      if (!answer.signed_in) { throw new Error("signed out"); }
      setRemaining(answer.seconds_remaining);
      closeWarning();
    }).catch(endSession);
  }

  function endSession() {
    if (ended) { return; }
    ended = true;
    window.clearInterval(timer);
    var signIn = holder.dataset.signInUrl + "?next=" + encodeURIComponent(window.location.pathname);
    var main = document.createElement("main");
    main.id = "main";
    main.className = "session-ended";
    var title = document.createElement("h1");
    title.textContent = "Your session has ended";
    var text = document.createElement("p");
    text.textContent = "You were signed out after a period without activity, and this page was cleared so no " +
      "student information stays on the screen.";
    var again = document.createElement("p");
    var link = document.createElement("a");
    link.href = signIn;
    link.textContent = "Sign in again";
    again.append(link);
    main.append(title, text, again);
    document.title = "Signed out · Insights";
    document.body.replaceChildren(main);
    title.setAttribute("tabindex", "-1");
    title.focus();
  }

  function check() {
    var secondsLeft = Math.ceil((deadline - Date.now()) / 1000);
    if (secondsLeft <= 0) {
      endSession();
    } else if (secondsLeft <= warnSeconds) {
      showWarning(secondsLeft);
    }
  }

  setRemaining(holder.dataset.secondsRemaining);
  // A one-second check rather than one long timer: timers pause while a laptop sleeps, the clock does not.
  var timer = window.setInterval(check, 1000);
  document.addEventListener("visibilitychange", check);
})();
