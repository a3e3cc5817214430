/* Municipality explorer: renders window.SCITY_EXPLORER (written by `scity build` into
   data/explorer.js) as a searchable, sortable, filterable table. No libraries, no network.
   searchKey() must fold text exactly as scityhelpers.explorer.search_key does. */
(function () {
  "use strict";

  var MACRONS = { "ā": "a", "ī": "i", "ū": "u", "ē": "e", "ō": "o",
                  "â": "a", "î": "i", "û": "u", "ê": "e", "ô": "o" };
  var SEPARATORS = /[\s\-\u2010'\u2019()\u30FB.]/g;

  function searchKey(text) {
    var folded = String(text).normalize("NFKC");
    var out = "";
    for (var i = 0; i < folded.length; i++) {
      var code = folded.charCodeAt(i);
      out += (code >= 0x30A1 && code <= 0x30F6) ? String.fromCharCode(code - 0x60) : folded[i];
    }
    out = out.toLowerCase().replace(/[āīūēōâîûêô]/g, function (c) { return MACRONS[c]; });
    return out.replace(SEPARATORS, "");
  }
  window.scityExplorerSearchKey = searchKey;

  var ROLE = { lead: "lead", joint_lead: "joint lead", co: "co-proposer" };

  // one formatter per number of decimals: toLocaleString builds a new one on every call,
  // which was a third of the time to show all 1,900 rows
  var FORMATS = {};

  function fmtNumber(value, decimals) {
    if (value === null || value === undefined) { return ""; }
    var format = FORMATS[decimals] || (FORMATS[decimals] = new Intl.NumberFormat(
      "en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals }));
    return format.format(value);
  }

  function columnsOf(data) {
    var meta = data.meta;
    var cols = [
      { key: "code5", head: "コード code", kind: "text" },
      { key: "pref_name", head: "都道府県 prefecture", kind: "text" },
      { key: "name", head: "市区町村 municipality", kind: "name" },
      { key: "type", head: "種別 type", kind: "text" },
      { key: "population_2015_persons", head: "人口 population 2015", kind: "int" },
      { key: "population_2020_persons", head: "人口 population 2020", kind: "int" },
      { key: "change_2015_2020_pct", head: "増減 change 2015–20 (%)", kind: "pct" },
      { key: "projected_change_pct",
        head: "推計 projected " + meta.projection_from + "–" + meta.projection_to +
              " (%, IPSS " + meta.projection_edition + ")", kind: "pct" },
      { key: "sdgs_years", head: "SDGs未来都市 (FY)", kind: "sdgs" },
      { key: "decarbonization_rounds", head: "脱炭素先行地域 (round, year)", kind: "decarb" },
      { key: "income_per_taxpayer_thousand_yen",
        head: "課税対象所得/納税義務者 income per taxpayer " + meta.income_year +
              " (thousand yen)", kind: "int" }
    ];
    Object.keys(data.labels).forEach(function (key) {
      cols.push({ key: key, head: data.labels[key],
                  kind: key.indexOf("has_") === 0 ? "flag" : "pct" });
    });
    return cols;
  }

  function cellText(col, value, row, index) {
    if (col.kind === "int") { return fmtNumber(value, 0); }
    if (col.kind === "pct") { return fmtNumber(value, 1); }
    if (col.kind === "flag") { return value === null ? "" : (value ? "✓" : "–"); }
    if (col.kind === "sdgs") { return value ? value.join(", ") : ""; }
    if (col.kind === "decarb") {
      return value ? value.map(function (e) {
        return "R" + e[0] + (e[1] ? " " + e[1] : "") + " " + (ROLE[e[2]] || e[2]);
      }).join("; ") : "";
    }
    return value === null ? "" : String(value);
  }

  function sortValue(col, value) {
    if (value === null || value === undefined) { return null; }
    if (col.kind === "sdgs") { return value.length ? value[0] : null; }
    if (col.kind === "decarb") { return value.length ? value[0][0] : null; }
    return value;
  }

  function build(root, data) {
    var index = {};
    data.columns.forEach(function (c, i) { index[c] = i; });
    var cols = columnsOf(data);
    var state = { query: "", pref: "", programme: "", sortKey: "code5", ascending: true };

    var search = root.querySelector("#explorer-search");
    var prefSelect = root.querySelector("#explorer-pref");
    var programme = root.querySelector("#explorer-programme");
    var count = root.querySelector("#explorer-count");
    var table = root.querySelector("#explorer-table");

    var prefs = [];
    data.rows.forEach(function (r) {
      var p = r[index.pref_code] + " " + r[index.pref_name];
      if (prefs.indexOf(p) < 0) { prefs.push(p); }
    });
    prefs.sort().forEach(function (p) {
      var option = document.createElement("option");
      option.value = p.split(" ")[0];
      option.textContent = p.split(" ")[1];
      prefSelect.appendChild(option);
    });

    var thead = document.createElement("thead");
    var headRow = document.createElement("tr");
    cols.forEach(function (col) {
      var th = document.createElement("th");
      th.textContent = col.head;
      th.dataset.col = col.key;
      th.setAttribute("role", "columnheader");
      th.setAttribute("aria-sort", "none");
      th.title = "sort";
      th.addEventListener("click", function () {
        state.ascending = state.sortKey === col.key ? !state.ascending : true;
        state.sortKey = col.key;
        render();
      });
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    table.appendChild(thead);
    var tbody = document.createElement("tbody");
    table.appendChild(tbody);

    function matches(r) {
      if (state.pref && r[index.pref_code] !== state.pref) { return false; }
      var sdgs = r[index.sdgs_years], decarb = r[index.decarbonization_rounds];
      if (state.programme === "sdgs" && !sdgs) { return false; }
      if (state.programme === "decarbonization" && !decarb) { return false; }
      if (state.programme === "either" && !sdgs && !decarb) { return false; }
      if (state.programme === "none" && (sdgs || decarb)) { return false; }
      return !state.query || r[index.search_key].indexOf(state.query) >= 0;
    }

    function render() {
      var col = cols.filter(function (c) { return c.key === state.sortKey; })[0];
      var rows = data.rows.filter(matches);
      var sign = state.ascending ? 1 : -1;
      rows.sort(function (a, b) {
        var x = sortValue(col, a[index[col.key]]), y = sortValue(col, b[index[col.key]]);
        if (x === y) { return a[index.code5] < b[index.code5] ? -1 : 1; }
        if (x === null) { return 1; }   // missing values last in either direction
        if (y === null) { return -1; }
        return (x < y ? -1 : 1) * sign;
      });
      headRow.querySelectorAll("th").forEach(function (th) {
        th.setAttribute("aria-sort", th.dataset.col !== state.sortKey ? "none"
                        : (state.ascending ? "ascending" : "descending"));
      });
      var fragment = document.createDocumentFragment();
      rows.forEach(function (r) {
        var tr = document.createElement("tr");
        tr.dataset.code5 = r[index.code5];
        cols.forEach(function (c) {
          var td = document.createElement("td");
          td.dataset.col = c.key;
          if (c.kind === "name") {
            td.innerHTML = "";
            td.appendChild(document.createTextNode(r[index.name]));
            var sub = document.createElement("span");
            sub.className = "explorer-sub";
            sub.textContent = r[index.name_kana] + " · " + r[index.name_romaji];
            td.appendChild(sub);
          } else {
            td.textContent = cellText(c, r[index[c.key]], r, index);
          }
          if (c.kind !== "text" && c.kind !== "name") { td.className = "explorer-num"; }
          tr.appendChild(td);
        });
        fragment.appendChild(tr);
      });
      tbody.replaceChildren(fragment);
      count.textContent = rows.length.toLocaleString("en-US") + " / " +
                          data.rows.length.toLocaleString("en-US");
    }

    search.addEventListener("input", function () { state.query = searchKey(search.value); render(); });
    prefSelect.addEventListener("change", function () { state.pref = prefSelect.value; render(); });
    programme.addEventListener("change", function () { state.programme = programme.value; render(); });
    root.dataset.ready = "true";
    render();
  }

  function start() {
    var root = document.getElementById("scity-explorer");
    if (!root) { return; }
    if (!window.SCITY_EXPLORER) {
      root.querySelector("#explorer-count").textContent =
        "The explorer data (data/explorer.js) did not load; rebuild the book with `scity build`.";
      return;
    }
    build(root, window.SCITY_EXPLORER);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
