// sdkvet pages: the upload with a progress bar, and waiting for a verdict.
// Served from /static so that the Content-Security-Policy can forbid inline
// script. Everything written into the page goes through textContent.
(function () {
  "use strict";

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }

  function humanSize(n) {
    if (n >= 1 << 30) return (n / (1 << 30)).toFixed(1) + " GiB";
    if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
    if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
    return n + " bytes";
  }

  function setupUpload(form) {
    var input = form.querySelector('input[type="file"]');
    var button = form.querySelector('button[type="submit"]');
    var bar = document.getElementById("upload-progress");
    var status = document.getElementById("upload-status");
    var max = parseInt(form.getAttribute("data-max") || "0", 10);

    function say(text) { status.textContent = text; }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = input.files && input.files[0];
      if (!file) { say("Choose a package first."); input.focus(); return; }
      if (max > 0 && file.size > max) { say("The file is larger than the limit of " + humanSize(max) + "."); return; }
      var data = new FormData();
      data.append("file", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader(meta("csrf-header") || "X-CSRF-Token", meta("csrf-token"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.floor((e.loaded / e.total) * 100);
        bar.value = pct;
        bar.textContent = pct + "%";
        say("Uploading: " + pct + "% of " + humanSize(e.total));
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body) {
          var id = body.id || (body.scan && body.scan.id);
          if (id) {
            bar.value = 100;
            say("Uploaded. Opening the scan…");
            window.location.assign("/scans/" + encodeURIComponent(id));
            return;
          }
        }
        var msg = body && (body.error || body.message);
        say("The upload failed" + (msg ? ": " + msg : " (" + xhr.status + ")") + ".");
        button.disabled = false;
      });
      xhr.addEventListener("error", function () {
        say("The upload failed: the connection was lost.");
        button.disabled = false;
      });
      button.disabled = true;
      bar.value = 0;
      say("Uploading…");
      xhr.send(data);
    });
  }

  function setupPoll(el) {
    var url = el.getAttribute("data-status-url");
    var delay = 1000;
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (s && (s.status === "done" || s.status === "failed")) { window.location.reload(); return; }
          delay = Math.min(delay * 1.5, 10000);
          window.setTimeout(tick, delay);
        })
        .catch(function () { window.setTimeout(tick, 10000); });
    }
    window.setTimeout(tick, delay);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (form) setupUpload(form);
    var pending = document.getElementById("scan-pending");
    if (pending) setupPoll(pending);
  });
})();
