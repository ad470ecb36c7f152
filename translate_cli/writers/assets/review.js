(function () {
  "use strict";
  var body = document.body;
  var main = document.getElementById("main");
  var bar = document.getElementById("toolbar");
  var only = document.getElementById("only-flagged");
  var chipBox = document.getElementById("chips");
  var sortBtn = document.getElementById("sort");
  var sortRun = document.getElementById("sort-run");
  var helpBtn = document.getElementById("help-button");
  var help = document.getElementById("help");
  var status = document.getElementById("status");
  var progress = document.getElementById("progress");
  var exportBtn = document.getElementById("export");
  var alignStatus = document.getElementById("align-status");
  var toc = document.getElementById("toc");
  var sections = [].slice.call(document.querySelectorAll("section.doc"));
  var tables = [].slice.call(document.querySelectorAll("table.pairs"));
  var rows = [];
  var counts = {};
  var selected = [];
  var visible = [];
  var sorted = false;
  var across = false;
  var runSorted = [];
  var runBody = null;
  var beforeHelp = null;
  var editing = null;
  var lit = [];
  var storageProblem = "";
  var exported = "";
  // One localStorage entry per document: the reviewer's work on its rows,
  // each row's under its check, so work never lands on another sentence.
  var PREFIX = "translate-cli/review/";

  // The exact text of a field: JSON in data-NAME-json where HTML could not
  // hold it as it is, otherwise what fallback() reads from the page.
  function exact(el, name, fallback) {
    var json = el.getAttribute("data-" + name + "-json");
    return json === null ? fallback() : JSON.parse(json);
  }

  sections.forEach(function (section) {
    section.docName = exact(section, "doc", function () {
      return section.getAttribute("data-doc");
    });
    var sha = section.getAttribute("data-sha256");
    section.storeKey = PREFIX + (sha ? "sha256:" + sha : "name:" + section.docName);
    section.tocEntry = document.getElementById("toc-" + section.id);
    section.rows = [];
  });

  tables.forEach(function (table) {
    table.section = table.parentNode;
    table.rowsInOrder = [].slice.call(table.querySelectorAll("tr.pair"));
    table.rowsInOrder.forEach(function (row, i) {
      row.flags = (row.getAttribute("data-flags") || "").split(" ").filter(Boolean);
      var s = row.getAttribute("data-score");
      row.score = s === null || s === "" ? Infinity : parseFloat(s);
      row.order = i;
      row.home = row.parentNode;
      row.section = table.section;
      row.check = row.getAttribute("data-check");
      row.flags.forEach(function (f) { counts[f] = (counts[f] || 0) + 1; });
      table.section.rows.push(row);
      row.runOrder = rows.length;
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
    if (only.checked && !row.flags.some(function (f) { return f !== "reviewed"; })) { return false; }
    if (!selected.length) { return true; }
    for (var i = 0; i < row.flags.length; i++) {
      if (selected.indexOf(row.flags[i]) >= 0) { return true; }
    }
    return false;
  }

  function apply() {
    var filtering = only.checked || selected.length > 0;
    var docs = 0;
    visible = [];
    sections.forEach(function (section) { section.shown = 0; });
    tables.forEach(function (table) {
      var inOrder = sorted && !across ? table.rowsSorted : table.rowsInOrder;
      inOrder.forEach(function (row) {
        var show = shows(row);
        row.shown = show;
        row.classList.toggle("hide", !show);
        if (show) { visible.push(row); table.section.shown++; }
      });
      [].forEach.call(table.querySelectorAll("tbody.para"), function (group) {
        group.classList.toggle("hide", !group.querySelector("tr.pair:not(.hide)"));
      });
    });
    if (across) { visible = runSorted.filter(function (row) { return row.shown; }); }
    // A filter hides the documents it leaves empty, and their contents entries.
    sections.forEach(function (section) {
      var none = filtering && !section.shown;
      section.classList.toggle("hide", none);
      if (section.tocEntry) { section.tocEntry.classList.toggle("hide", none); }
      if (!none) { docs++; }
    });
    var current = document.querySelector('tr.pair[tabindex="0"]');
    if (!current || current.classList.contains("hide")) { setTabStop(visible[0] || null); }
    status.textContent = "Showing " + visible.length + " of " + rows.length + " pairs" +
      (sections.length > 1 && filtering ? " in " + docs + " of " + sections.length +
        " documents" : "") +
      (sorted ? ", lowest score first" + (across ? " across all documents" : "") : "");
  }

  function setTabStop(row) {
    var old = document.querySelector('tr.pair[tabindex="0"]');
    if (old) { old.tabIndex = -1; }
    if (row) { row.tabIndex = 0; }
  }

  function byScore(a, b) {
    return a.score === b.score ? 0 : (a.score < b.score ? -1 : 1);
  }

  // The table that holds every row of the run, lowest score first: made the
  // first time it is asked for, after the contents.
  function runTable() {
    if (!runBody) {
      var section = document.createElement("section");
      var heading = document.createElement("h2");
      var table = document.createElement("table");
      section.className = "run";
      heading.id = "run-title";
      heading.textContent = "All documents, lowest model score first";
      section.setAttribute("aria-labelledby", heading.id);
      table.className = "pairs";
      table.appendChild(tables[0].querySelector("colgroup").cloneNode(true));
      table.appendChild(tables[0].tHead.cloneNode(true));
      runBody = document.createElement("tbody");
      runBody.className = "by-score";
      table.appendChild(runBody);
      section.appendChild(heading);
      section.appendChild(table);
      main.insertBefore(section, toc && toc.parentNode === main ? toc.nextSibling : main.firstChild);
    }
    return runBody;
  }

  function sortByScore(on) {
    sorted = on;
    across = on && sortRun.checked && tables.length > 0;
    body.classList.toggle("sorted", on);
    body.classList.toggle("across", across);
    sortBtn.setAttribute("aria-pressed", String(on));
    var frag = document.createDocumentFragment();
    if (across) {
      // Stable: equal scores keep the page's order, documents first to last.
      runSorted = rows.slice().sort(function (a, b) {
        return byScore(a, b) || a.runOrder - b.runOrder;
      });
      runSorted.forEach(function (row) { frag.appendChild(row); });
      runTable().appendChild(frag);
    }
    tables.forEach(function (table) {
      if (across) { return; }
      if (on) {
        table.rowsSorted = table.rowsInOrder.slice().sort(function (a, b) {
          return byScore(a, b) || a.order - b.order;
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
    var top = Math.max(0, bar.getBoundingClientRect().bottom);
    var lo = 0, hi = visible.length - 1, found = visible.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (visible[mid].getBoundingClientRect().bottom > top) { found = mid; hi = mid - 1; }
      else { lo = mid + 1; }
    }
    return found;
  }

  function rowOf(element) {
    return element && element.closest ? element.closest("tr.pair") : null;
  }

  function move(delta) {
    if (!visible.length) { return; }
    var i = visible.indexOf(rowOf(document.activeElement));
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

  // --- The reviewer's work: edits and reviewed marks -----------------------

  function machine(row) {
    if (row.machine === undefined) {
      row.machine = exact(row, "tgt", function () { return row.cells[2].textContent; });
      row.original = [].slice.call(row.cells[2].childNodes);
    }
    return row.machine;
  }

  // The source as the page shows it, without the list of its glossary terms.
  function source(row) {
    return exact(row, "src", function () {
      return [].map.call(row.cells[1].childNodes, function (node) {
        return node.nodeName === "UL" ? "" : node.textContent;
      }).join("");
    });
  }

  // Shows the reviewer's text, or the machine's (with its word spans) when undefined.
  function showTarget(row, text) {
    var cell = row.cells[2];
    machine(row);
    cell.textContent = text === undefined ? "" : text;
    if (text === undefined) { row.original.forEach(function (n) { cell.appendChild(n); }); }
  }

  function mark(row) {
    var words = [];
    if (row.edit !== undefined) { words.push("edited"); }
    if (row.reviewed) { words.push("marked reviewed"); }
    row.classList.toggle("edited", row.edit !== undefined);
    row.classList.toggle("done", !!row.reviewed);
    if (row.edit === undefined) { row.cells[2].removeAttribute("title"); }
    else { row.cells[2].title = "Machine translation: " + machine(row); }
    if (!row.markEl && !words.length) { return; }
    if (!row.markEl) {
      row.markEl = document.createElement("span");
      row.markEl.className = "mark";
      row.cells[3].appendChild(row.markEl);
    }
    row.markEl.textContent = words.join(", ");
    row.markEl.hidden = !words.length;
  }

  function setTarget(row, text) {
    row.edit = text === machine(row) ? undefined : text;
    showTarget(row, row.edit);
    mark(row);
  }

  function stored(key) {
    var data = JSON.parse(localStorage.getItem(key) || "{}");
    return data && typeof data.rows === "object" && data.rows ? data.rows : {};
  }

  function save(row) {
    var key = row.section.storeKey;
    try {
      var work = stored(key);
      var entry = {};
      if (row.edit !== undefined) { entry.t = row.edit; }
      if (row.reviewed) { entry.r = true; }
      if (entry.t === undefined && !entry.r) { delete work[row.check]; }
      else { work[row.check] = entry; }
      if (Object.keys(work).length) {
        localStorage.setItem(key, JSON.stringify({v: 1, rows: work}));
      } else {
        localStorage.removeItem(key);
      }
      storageProblem = "";
    } catch (err) {
      storageProblem = "this browser did not keep the last change (" + err.name +
        "): export your corrections";
    }
    exported = "";
    showProgress();
  }

  function restore() {
    sections.forEach(function (section) {
      var work;
      try { work = stored(section.storeKey); }
      catch (err) {
        storageProblem = "earlier work could not be read (" + err.name + ")";
        return;
      }
      if (!Object.keys(work).length) { return; }
      section.rows.forEach(function (row) {
        var entry = work[row.check];
        if (!entry) { return; }
        row.reviewed = entry.r === true;
        if (typeof entry.t === "string") { setTarget(row, entry.t); } else { mark(row); }
      });
    });
  }

  function showProgress() {
    var edited = 0, marked = 0;
    rows.forEach(function (row) {
      if (row.edit !== undefined) { edited++; }
      if (row.reviewed) { marked++; }
    });
    progress.textContent = edited + " edited, " + marked + " marked reviewed" +
      (storageProblem ? "; " + storageProblem : "") + (exported ? "; " + exported : "");
  }

  function startEdit(row) {
    if (editing) { return; }
    var cell = row.cells[2];
    var box = document.createElement("textarea");
    box.value = row.edit !== undefined ? row.edit : machine(row);
    box.lang = cell.lang;
    box.spellcheck = true;
    var place = /-p(\d+)-s(\d+)$/.exec(row.id);
    box.setAttribute("aria-label", "Translation of paragraph " + place[1] + ", sentence " +
      place[2] + ": Enter keeps it, Escape cancels");
    cell.textContent = "";
    cell.appendChild(box);
    editing = {row: row, box: box};
    box.style.height = Math.max(box.scrollHeight + 6, 40) + "px";
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        finish(true, false);
      } else if (e.key === "Escape") {
        e.preventDefault();
        finish(false, false);
      }
      e.stopPropagation();
    });
    box.addEventListener("blur", function () { finish(true, true); });
  }

  // Ends an edit, keeping the text or not; gives the focus back to the row
  // unless the reviewer moved it elsewhere.
  function finish(keep, blurred) {
    if (!editing) { return; }
    // A sentence is one line: line breaks typed in the box become spaces.
    var row = editing.row, text = editing.box.value.replace(/\s*[\r\n]+\s*/g, " ");
    editing = null;
    if (keep) {
      var before = row.edit;
      setTarget(row, text);
      if (row.edit !== before) { save(row); }
    } else {
      showTarget(row, row.edit);
    }
    if (!blurred) {
      setTabStop(row);
      row.focus({preventScroll: true});
    }
  }

  function toggleReviewed(row) {
    row.reviewed = !row.reviewed;
    mark(row);
    save(row);
  }

  function exportName() {
    var path = decodeURIComponent(location.pathname.split("/").pop() || "");
    var stem = path.replace(/(\.review)?\.html?$/i, "");
    return (stem || "review") + ".corrections.json";
  }

  // The rows edited or marked reviewed, as translate --import-reviewed reads
  // them (see translate_cli/review.py).
  function exportCorrections() {
    var out = [];
    rows.forEach(function (row) {
      if (row.edit === undefined && !row.reviewed) { return; }
      var place = /-p(\d+)-s(\d+)$/.exec(row.id);
      out.push({
        doc: row.section.docName,
        paragraph: parseInt(place[1], 10),
        sentence: parseInt(place[2], 10),
        source: source(row),
        target: row.edit !== undefined ? row.edit : machine(row),
        check: row.check,
        reviewed: !!row.reviewed
      });
    });
    var data = {
      format: exportBtn.getAttribute("data-format"),
      version: parseInt(exportBtn.getAttribute("data-version"), 10),
      rows: out
    };
    var name = exportName();
    var blob = new Blob([JSON.stringify(data, null, 1) + "\n"], {type: "application/json"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    body.appendChild(link);
    link.click();
    body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
    exported = "exported " + out.length + " rows to " + name;
    showProgress();
  }

  // --- Word alignment --------------------------------------------------------

  // {src: {i: [j...]}, tgt: {j: [i...]}} from data-align ("0-0 1-2"), or null.
  function links(row) {
    if (row.links === undefined) {
      var text = row.getAttribute("data-align");
      row.links = null;
      if (text) {
        var map = {src: {}, tgt: {}};
        text.split(/\s+/).forEach(function (link) {
          var m = /^(\d+)-(\d+)$/.exec(link);
          if (!m) { return; }
          (map.src[m[1]] = map.src[m[1]] || []).push(parseInt(m[2], 10));
          (map.tgt[m[2]] = map.tgt[m[2]] || []).push(parseInt(m[1], 10));
        });
        row.links = map;
      }
    }
    return row.links;
  }

  function clearHighlight() {
    lit.forEach(function (w) { w.classList.remove("hl", "al"); });
    lit = [];
  }

  // Highlights a word and its aligned words; returns the aligned words' text.
  function highlight(word) {
    clearHighlight();
    var cell = word.parentNode, row = rowOf(word);
    var map = row ? links(row) : null;
    if (!map || row.edit !== undefined || editing) { return []; }
    var fromSource = cell === row.cells[1];
    var other = fromSource ? row.cells[2] : row.cells[1];
    var index = [].indexOf.call(cell.children, word);
    var names = [];
    word.classList.add("hl");
    lit.push(word);
    ((fromSource ? map.src : map.tgt)[index] || []).forEach(function (j) {
      var w = other.children[j];
      if (w && w.classList.contains("w")) {
        w.classList.add("al");
        lit.push(w);
        names.push(w.textContent);
      }
    });
    return names;
  }

  // Moves the focus to the next or previous word of a row, source then
  // target; false when the row has no alignment.
  function stepWord(row, from, delta) {
    if (!links(row) || row.edit !== undefined) { return false; }
    var words = [].slice.call(row.cells[1].children).concat([].slice.call(row.cells[2].children))
      .filter(function (w) { return w.classList.contains("w"); });
    if (!words.length) { return false; }
    var i = words.indexOf(from);
    var next = i < 0 ? (delta > 0 ? 0 : words.length - 1) : i + delta;
    if (next < 0 || next >= words.length) { row.focus({preventScroll: true}); return true; }
    words[next].tabIndex = -1;
    words[next].focus({preventScroll: true});
    return true;
  }

  function wordOf(element) {
    return element && element.closest ? element.closest("span.w") : null;
  }

  // --- Events ------------------------------------------------------------------

  only.addEventListener("change", apply);
  sortBtn.addEventListener("click", function () { sortByScore(!sorted); });
  sortRun.addEventListener("change", function () { if (sorted) { sortByScore(true); } });
  helpBtn.addEventListener("click", function () { toggleHelp(); });
  help.querySelector("button").addEventListener("click", function () { toggleHelp(false); });
  exportBtn.addEventListener("click", exportCorrections);
  document.addEventListener("dblclick", function (e) {
    var cell = e.target.closest ? e.target.closest("td.tgt") : null;
    if (cell && !editing) { startEdit(cell.parentNode); }
  });
  document.addEventListener("mouseover", function (e) {
    var word = wordOf(e.target);
    if (word) { highlight(word); } else if (lit.length) { clearHighlight(); }
  });
  document.addEventListener("focusin", function (e) {
    var t = e.target;
    var row = rowOf(t);
    if (row && !editing) { setTabStop(row); }
    var word = wordOf(t);
    if (word) {
      var names = highlight(word);
      alignStatus.textContent = word.textContent + ": " +
        (names.length ? "aligned with " + names.join(" ") : "no aligned word");
    } else if (lit.length) {
      clearHighlight();
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName) ||
        (t.tagName === "INPUT" && t.type !== "checkbox")) { return; }
    var k = e.key;
    var row = rowOf(t);
    if (k === "Escape" && !help.hidden) { toggleHelp(false); }
    else if (k === "?") { toggleHelp(); }
    else if (!help.hidden) { return; }
    else if (k === "j" || k === "ArrowDown") { move(1); }
    else if (k === "k" || k === "ArrowUp") { move(-1); }
    else if (k === "f") { only.checked = !only.checked; apply(); }
    else if (k === "Enter" && row) { startEdit(row); }
    else if (k === "r" && row) { toggleReviewed(row); }
    else if ((k === "ArrowRight" || k === "ArrowLeft") && row) {
      if (!stepWord(row, wordOf(t), k === "ArrowRight" ? 1 : -1)) { return; }
    }
    else { return; }
    e.preventDefault();
  });

  if (toc) { main.insertBefore(toc, main.firstChild); }
  restore();
  showProgress();
  bar.hidden = false;
  apply();
})();
