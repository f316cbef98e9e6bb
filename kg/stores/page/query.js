// The query page of `kg serve`. Written for motorsport-kg; no libraries, nothing from the web.
//
// The page reads its catalogue (kg's prefixes, the example query, the saved queries)
// from /page/catalogue.json and sends queries to /query, both on this server, as any
// SPARQL client does (a form POST). Answers to SELECT and ASK come as SPARQL JSON and
// are shown as a table, IRIs as prefixed names; CONSTRUCT and DESCRIBE come as Turtle.
// The front's refusals (400 limits and syntax, 503 busy, 504 too long) are put in words.
(function () {
  "use strict";

  var ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  var SHOWN_ROWS = 1000;  // more rows make the page slow; the downloads hold them all
  var STORED = "kg-serve-query";

  var editor = document.getElementById("query");
  var runButton = document.getElementById("run");
  var stopButton = document.getElementById("stop");
  var resetButton = document.getElementById("reset");
  var statusLine = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var results = document.getElementById("results");
  var savedList = document.getElementById("saved-list");
  var filter = document.getElementById("filter");
  var about = document.getElementById("about");
  var loaded = document.getElementById("loaded");
  var downloads = document.getElementById("downloads");
  var csvButton = document.getElementById("download-csv");
  var jsonButton = document.getElementById("download-json");

  var prefixes = [];  // [label, namespace], longest namespace first
  var example = "";
  var running = null;  // the AbortController of the query under way
  var answer = null;  // {kind: "table"|"boolean"|"graph", text, data}

  // -- terms ------------------------------------------------------------------------

  function shorten(iri) {
    for (var i = 0; i < prefixes.length; i++) {
      var namespace = prefixes[i][1];
      if (iri.indexOf(namespace) === 0) {
        var local = iri.slice(namespace.length);
        if (local && local.indexOf("/") < 0 && local.indexOf("#") < 0) {
          return prefixes[i][0] + ":" + local;
        }
      }
    }
    return "<" + iri + ">";
  }

  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|negativeInteger|nonPositiveInteger|unsignedInt|unsignedLong)$/;

  function cell(term) {
    var td = document.createElement("td");
    if (!term) {
      return td;
    }
    if (term.type === "uri") {
      td.className = "iri";
      td.textContent = shorten(term.value);
      td.title = term.value;
    } else if (term.type === "bnode") {
      td.className = "bnode";
      td.textContent = "_:" + term.value;
    } else if (term.type === "triple") {
      td.textContent = "<< " + [term.value.subject, term.value.predicate, term.value.object]
        .map(plain).join(" ") + " >>";
    } else {
      td.textContent = term.value;
      if (term.value.length <= 60 && !/\s/.test(term.value)) {
        td.className = "word";  // a date, a code, a number: kept on one line
      }
      var lang = term["xml:lang"];
      if (lang) {
        var tag = document.createElement("span");
        tag.className = "lang";
        tag.textContent = "@" + lang;
        td.appendChild(tag);
      } else if (term.datatype) {
        td.title = shorten(term.datatype);
        if (NUMERIC.test(term.datatype)) {
          td.className = "number";
        }
      }
    }
    return td;
  }

  function plain(term) {
    if (term.type === "uri") {
      return shorten(term.value);
    }
    return term.type === "bnode" ? "_:" + term.value : JSON.stringify(term.value);
  }

  // -- showing answers --------------------------------------------------------------

  function plural(count, one, many) {
    return count.toLocaleString("en") + " " + (count === 1 ? one : many);
  }

  function took(started) {
    return ((performance.now() - started) / 1000).toFixed(2) + " s";
  }

  function clear() {
    results.textContent = "";
    errorBox.hidden = true;
    errorBox.textContent = "";
    downloads.hidden = true;
    answer = null;
  }

  function showTable(data, text, started) {
    var variables = data.head.vars || [];
    var rows = data.results.bindings;
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    var number = document.createElement("th");
    number.textContent = "#";
    number.className = "row-number";
    head.appendChild(number);
    variables.forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = name;
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.slice(0, SHOWN_ROWS).forEach(function (row, index) {
      var tr = body.insertRow();
      var counter = document.createElement("td");
      counter.className = "row-number";
      counter.textContent = String(index + 1);
      tr.appendChild(counter);
      variables.forEach(function (name) {
        tr.appendChild(cell(row[name]));
      });
    });
    results.appendChild(table);
    var said = plural(rows.length, "row", "rows") + " in " + took(started);
    if (rows.length > SHOWN_ROWS) {
      said += " (the first " + SHOWN_ROWS.toLocaleString("en") + " shown; the downloads hold all)";
    }
    statusLine.textContent = said;
    answer = {kind: "table", text: text, data: data};
    csvButton.hidden = false;
    jsonButton.textContent = "Download JSON";
    downloads.hidden = false;
  }

  function showBoolean(data, text, started) {
    var verdict = document.createElement("p");
    verdict.className = "verdict";
    verdict.textContent = data.boolean ? "Yes (true)" : "No (false)";
    results.appendChild(verdict);
    statusLine.textContent = "ASK answered in " + took(started);
    answer = {kind: "boolean", text: text, data: data};
    csvButton.hidden = true;
    jsonButton.textContent = "Download JSON";
    downloads.hidden = false;
  }

  function showGraph(text, started) {
    var pre = document.createElement("pre");
    pre.className = "graph";
    pre.textContent = text;
    results.appendChild(pre);
    var triples = text.split("\n").filter(function (line) {
      return /\.\s*$/.test(line);
    }).length;
    statusLine.textContent = "A graph (about " + plural(triples, "statement", "statements") +
      " in Turtle) in " + took(started);
    answer = {kind: "graph", text: text, data: null};
    csvButton.hidden = true;
    jsonButton.textContent = "Download Turtle";
    downloads.hidden = false;
  }

  // What the front and the engine say, in words (the body is the reason, in English).
  function refusal(status, body) {
    var reason = body.trim();
    var syntax = /^error at (\d+):(\d+): ?(.*)$/s.exec(reason);
    if (status === 400 && syntax) {
      markPosition(Number(syntax[1]), Number(syntax[2]));
      return "The query has a syntax error at line " + syntax[1] + ", column " + syntax[2] +
        ": " + syntax[3];
    }
    var opening = {
      400: "The query was not run: ",
      403: "Refused: ",
      413: "The query is too large: ",
      502: "The SPARQL engine behind kg serve failed: ",
      503: "The server is busy: ",
      504: "The query took too long: "
    }[status] || "The server answered HTTP " + status + ": ";
    return opening + reason;
  }

  function markPosition(line, column) {
    var lines = editor.value.split("\n");
    if (line < 1 || line > lines.length) {
      return;
    }
    var offset = 0;
    for (var i = 0; i < line - 1; i++) {
      offset += lines[i].length + 1;
    }
    offset += Math.min(Math.max(column - 1, 0), lines[line - 1].length);
    editor.focus();
    editor.setSelectionRange(offset, Math.min(offset + 1, editor.value.length));
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // -- running ----------------------------------------------------------------------

  function setRunning(controller) {
    running = controller;
    runButton.disabled = controller !== null;
    stopButton.disabled = controller === null;
  }

  function run() {
    if (running) {
      return;
    }
    var text = editor.value;
    clear();
    if (!text.trim()) {
      showError("Write a query first, or pick a saved query.");
      return;
    }
    var controller = new AbortController();
    setRunning(controller);
    statusLine.textContent = "Running…";
    var started = performance.now();
    var received = false;
    fetch("/query", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT},
      body: new URLSearchParams({query: text}),
      signal: controller.signal,
      cache: "no-store"
    }).then(function (response) {
      received = true;
      return response.text().then(function (body) {
        return {response: response, body: body};
      });
    }).then(function (reply) {
      var kind = (reply.response.headers.get("Content-Type") || "").split(";")[0].trim();
      if (!reply.response.ok) {
        statusLine.textContent = "";
        showError(refusal(reply.response.status, reply.body));
      } else if (kind === "application/sparql-results+json") {
        var data = JSON.parse(reply.body);
        if (typeof data.boolean === "boolean") {
          showBoolean(data, reply.body, started);
        } else {
          showTable(data, reply.body, started);
        }
      } else {
        showGraph(reply.body, started);
      }
    }).catch(function (error) {
      statusLine.textContent = "";
      if (error.name === "AbortError") {
        showError("Stopped. (The server finishes the query on its side, within its time limit.)");
      } else if (received) {
        showError("The answer was cut off before its end: the query ran past the server's " +
          "time limit while sending. Ask for less (LIMIT, fewer patterns).");
      } else {
        showError("kg serve did not answer: is it still running? (" + error.message + ")");
      }
    }).then(function () {
      setRunning(null);
    });
  }

  // -- downloads --------------------------------------------------------------------

  function csvField(term) {
    if (!term) {
      return "";
    }
    var text = term.type === "bnode" ? "_:" + term.value : String(term.value);
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }

  // SPARQL 1.1 Query Results CSV: the variables, then each row's values (IRIs whole).
  function asCsv(data) {
    var variables = data.head.vars || [];
    var lines = [variables.join(",")];
    data.results.bindings.forEach(function (row) {
      lines.push(variables.map(function (name) {
        return csvField(row[name]);
      }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function save(text, type, name) {
    var url = URL.createObjectURL(new Blob([text], {type: type}));
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 10000);
  }

  csvButton.addEventListener("click", function () {
    if (answer && answer.kind === "table") {
      save(asCsv(answer.data), "text/csv", "query-results.csv");
    }
  });
  jsonButton.addEventListener("click", function () {
    if (!answer) {
      return;
    }
    if (answer.kind === "graph") {
      save(answer.text, "text/turtle", "query-results.ttl");
    } else {
      save(answer.text, "application/sparql-results+json", "query-results.json");
    }
  });

  // -- the editor and the saved queries ------------------------------------------------

  function setText(text, label) {
    editor.value = text;
    editor.scrollTop = 0;
    loaded.textContent = label;
    remember();
  }

  // Put the caret at `offset` (the top when below 0) with its line near the top of the
  // editor: the example below kg's PREFIX lines, a saved query at its parameters.
  function showPlace(offset) {
    var start = Math.max(offset, 0);
    editor.focus();
    editor.setSelectionRange(start, start);
    var lineHeight = parseFloat(window.getComputedStyle(editor).lineHeight) || 18;
    var line = editor.value.slice(0, start).split("\n").length - 1;
    editor.scrollTop = Math.max(line - 3, 0) * lineHeight;
  }

  function showExample() {
    setText(example, "");
    showPlace(example.indexOf("\n\n") + 2);
  }

  function remember() {
    try {
      sessionStorage.setItem(STORED, editor.value);
    } catch (ignored) {
      // Storage off (a private window): the text is simply not kept across reloads.
    }
  }

  function recalled() {
    try {
      return sessionStorage.getItem(STORED);
    } catch (ignored) {
      return null;
    }
  }

  function explain(query) {
    about.textContent = "";
    var title = document.createElement("strong");
    title.textContent = query.title;
    about.appendChild(title);
    about.appendChild(document.createTextNode(" " + query.description));
    if (query.parameters.length) {
      var list = document.createElement("ul");
      query.parameters.forEach(function (parameter) {
        var item = document.createElement("li");
        var name = document.createElement("code");
        name.textContent = "?" + parameter.name;
        item.appendChild(name);
        item.appendChild(document.createTextNode(" (" + parameter.type + "): " +
          parameter.meaning + (parameter.default === null ? "; no default: replace UNDEF" :
            "; now " + parameter.default) + ". Change it in the VALUES line."));
        list.appendChild(item);
      });
      about.appendChild(list);
    }
    about.hidden = false;
  }

  function listSaved(queries) {
    savedList.textContent = "";
    queries.forEach(function (query) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "saved-query";
      button.dataset.name = query.name;
      button.title = query.description;
      var title = document.createElement("span");
      title.textContent = query.title;
      var name = document.createElement("small");
      name.textContent = query.name + (query.parameters.length ? " · parameters" : "");
      button.appendChild(title);
      button.appendChild(name);
      button.addEventListener("click", function () {
        setText(query.text, "saved query " + query.name);
        explain(query);
        showPlace(query.text.indexOf("VALUES ("));
      });
      item.appendChild(button);
      item.dataset.search = (query.title + " " + query.name + " " + query.description)
        .toLowerCase();
      savedList.appendChild(item);
    });
  }

  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(savedList.children, function (item) {
      var text = item.dataset.search || "";
      item.hidden = !words.every(function (word) {
        return text.indexOf(word) >= 0;
      });
    });
  });

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  editor.addEventListener("input", remember);
  runButton.addEventListener("click", run);
  stopButton.addEventListener("click", function () {
    if (running) {
      running.abort();
    }
  });
  resetButton.addEventListener("click", function () {
    showExample();
    about.hidden = true;
    editor.focus();
  });

  fetch("/page/catalogue.json", {cache: "no-store"}).then(function (response) {
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    return response.json();
  }).then(function (catalogue) {
    prefixes = catalogue.prefixes.slice().sort(function (a, b) {
      return b[1].length - a[1].length;
    });
    example = catalogue.prefixes.map(function (pair) {
      return "PREFIX " + pair[0] + ": <" + pair[1] + ">";
    }).join("\n") + "\n\n" + catalogue.example;
    var kept = recalled();
    if (kept !== null) {
      setText(kept, "");
    } else {
      showExample();
    }
    listSaved(catalogue.queries);
    document.body.dataset.ready = "true";
  }).catch(function (error) {
    showError("The page could not read its catalogue from kg serve: " + error.message);
  });
}());
