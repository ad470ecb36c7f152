(function () {
  "use strict";
  var body = document.body;
  var bar = document.getElementById("toolbar");
  var only = document.getElementById("only-flagged");
  var chipBox = document.getElementById("chips");
  var sortBtn = document.getElementById("sort");
  var helpBtn = document.getElementById("help-button");
  var help = document.getElementById("help");
  var status = document.getElementById("status");
  var tables = [].slice.call(document.querySelectorAll("table.pairs"));
  var rows = [];
  var counts = {};
  var selected = [];
  var visible = [];
  var sorted = false;
  var beforeHelp = null;

  tables.forEach(function (table) {
    table.rowsInOrder = [].slice.call(table.querySelectorAll("tr.pair"));
    table.rowsInOrder.forEach(function (row, i) {
      row.flags = (row.getAttribute("data-flags") || "").split(" ").filter(Boolean);
      var s = row.getAttribute("data-score");
      row.score = s === null || s === "" ? Infinity : parseFloat(s);
      row.order = i;
      row.home = row.parentNode;
      row.flags.forEach(function (f) { counts[f] = (counts[f] || 0) + 1; });
      rows.push(row);
    });
  });

  // One chip per flag present, in the legend's order, then any others.
  var order = [].slice.call(document.querySelectorAll("#legend .badge")).map(function (b) {
    return b.getAttribute("data-flag");
  });
  Object.keys(counts).sort().forEach(function (f) {
    if (order.indexOf(f) < 0) { order.push(f); }
  });
  order.forEach(function (flag) {
    if (!counts[flag]) { return; }
    var badge = document.querySelector('.badge[data-flag="' + CSS.escape(flag) + '"]');
    var chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip " + (badge ? badge.className : "badge f-other");
    chip.setAttribute("data-flag", flag);
    chip.setAttribute("aria-pressed", "false");
    chip.textContent = (badge ? badge.textContent : flag) + " (" + counts[flag] + ")";
    chip.title = "Show only pairs flagged " + flag;
    chip.addEventListener("click", function () {
      var i = selected.indexOf(flag);
      if (i < 0) { selected.push(flag); } else { selected.splice(i, 1); }
      chip.setAttribute("aria-pressed", String(i < 0));
      apply();
    });
    chipBox.appendChild(chip);
  });

  function shows(row) {
    if (only.checked && !row.flags.length) { return false; }
    if (!selected.length) { return true; }
    for (var i = 0; i < row.flags.length; i++) {
      if (selected.indexOf(row.flags[i]) >= 0) { return true; }
    }
    return false;
  }

  function apply() {
    visible = [];
    tables.forEach(function (table) {
      var inOrder = sorted ? table.rowsSorted : table.rowsInOrder;
      inOrder.forEach(function (row) {
        var show = shows(row);
        row.classList.toggle("hide", !show);
        if (show) { visible.push(row); }
      });
      [].forEach.call(table.querySelectorAll("tbody.para"), function (group) {
        group.classList.toggle("hide", !group.querySelector("tr.pair:not(.hide)"));
      });
    });
    var current = document.querySelector('tr.pair[tabindex="0"]');
    if (!current || current.classList.contains("hide")) { setTabStop(visible[0] || null); }
    status.textContent = "Showing " + visible.length + " of " + rows.length + " pairs" +
      (sorted ? ", lowest confidence first" : "");
  }

  function setTabStop(row) {
    var old = document.querySelector('tr.pair[tabindex="0"]');
    if (old) { old.tabIndex = -1; }
    if (row) { row.tabIndex = 0; }
  }

  function sortByScore(on) {
    sorted = on;
    body.classList.toggle("sorted", on);
    sortBtn.setAttribute("aria-pressed", String(on));
    tables.forEach(function (table) {
      var frag = document.createDocumentFragment();
      if (on) {
        table.rowsSorted = table.rowsInOrder.slice().sort(function (a, b) {
          return a.score === b.score ? a.order - b.order : (a.score < b.score ? -1 : 1);
        });
        table.rowsSorted.forEach(function (row) { frag.appendChild(row); });
        table.querySelector("tbody.by-score").appendChild(frag);
      } else {
        table.rowsInOrder.forEach(function (row) { row.home.appendChild(row); });
      }
    });
    apply();
  }

  // The first visible row whose bottom is below the sticky toolbar: where
  // "next" starts when no row has the focus yet.
  function firstOnScreen() {
    var top = bar.getBoundingClientRect().bottom;
    var lo = 0, hi = visible.length - 1, found = visible.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (visible[mid].getBoundingClientRect().bottom > top) { found = mid; hi = mid - 1; }
      else { lo = mid + 1; }
    }
    return found;
  }

  function move(delta) {
    if (!visible.length) { return; }
    var i = visible.indexOf(document.activeElement);
    var next = i < 0 ? firstOnScreen() : Math.max(0, Math.min(visible.length - 1, i + delta));
    var row = visible[next];
    setTabStop(row);
    row.focus({preventScroll: true});
    row.scrollIntoView({block: "nearest"});
  }

  function toggleHelp(show) {
    if (show === undefined) { show = help.hidden; }
    if (show) { beforeHelp = document.activeElement; }
    help.hidden = !show;
    helpBtn.setAttribute("aria-expanded", String(show));
    if (show) { help.querySelector("button").focus(); }
    else if (beforeHelp && beforeHelp.focus) { beforeHelp.focus({preventScroll: true}); }
  }

  only.addEventListener("change", apply);
  sortBtn.addEventListener("click", function () { sortByScore(!sorted); });
  helpBtn.addEventListener("click", function () { toggleHelp(); });
  help.querySelector("button").addEventListener("click", function () { toggleHelp(false); });
  document.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("pair")) { setTabStop(e.target); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
        (t.tagName === "INPUT" && t.type !== "checkbox")) { return; }
    var k = e.key;
    if (k === "Escape" && !help.hidden) { toggleHelp(false); }
    else if (k === "?") { toggleHelp(); }
    else if (!help.hidden) { return; }
    else if (k === "j" || k === "ArrowDown") { move(1); }
    else if (k === "k" || k === "ArrowUp") { move(-1); }
    else if (k === "f") { only.checked = !only.checked; apply(); }
    else { return; }
    e.preventDefault();
  });

  bar.hidden = false;
  apply();
})();
