// Dasbor: draws the figures the server computed (the browser does no arithmetic on them); a click on a bar or
// slice opens the rows behind it.
(function () {
  var d = JSON.parse(document.getElementById("dasbor-data").textContent);
  var lang = document.documentElement.lang || "id";
  var rp = new Intl.NumberFormat(lang === "en" ? "en" : "id-ID", { maximumFractionDigits: 0 });
  var colors = ["#2f6fad", "#e08a1e", "#3a9a5b", "#b8403b", "#7a5ba8", "#8c6d46", "#c45c9a", "#6f7b87", "#9da63a", "#2aa3b8"];
  function rupiah(v) { return "Rp " + rp.format(v); }
  function go(links) {
    return function (evt, elements) {
      if (!elements.length) return;
      var url = links[elements[0].index];
      if (url) window.location.href = url;
    };
  }
  function money(extra) {
    return Object.assign({
      responsive: true, maintainAspectRatio: false,
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + rupiah(c.parsed.y !== undefined && c.chart.options.indexAxis !== "y" ? c.parsed.y : c.parsed.x); } } } },
      scales: { y: { ticks: { callback: function (v) { return rupiah(v); } } } }
    }, extra || {});
  }
  function draw(id, config) {
    var el = document.getElementById(id);
    if (el && window.Chart) new Chart(el, config);
  }
  draw("grafik-bulan", {
    type: "bar",
    data: { labels: d.bulan.map(function (r) { return r.label; }), datasets: [
      { label: d.label.komitmen, data: d.bulan.map(function (r) { return r.komitmen; }), backgroundColor: colors[0] },
      { label: d.label.realisasi, data: d.bulan.map(function (r) { return r.realisasi; }), backgroundColor: colors[2] }] },
    options: money({ onClick: go(d.bulan.map(function (r) { return r.tautan; })) })
  });
  draw("grafik-satker", {
    type: "bar",
    data: { labels: d.satker.map(function (r) { return r.label; }), datasets: [
      { label: d.label.komitmen, data: d.satker.map(function (r) { return r.nilai; }), backgroundColor: colors[0] },
      { label: d.label.realisasi, data: d.satker.map(function (r) { return r.realisasi; }), backgroundColor: colors[2] }] },
    options: money({ indexAxis: "y", scales: { x: { ticks: { callback: function (v) { return rupiah(v); } } } },
                     onClick: go(d.satker.map(function (r) { return r.tautan; })) })
  });
  var pie = function (id, rows, links) {
    draw(id, {
      type: "doughnut",
      data: { labels: rows.map(function (r) { return r.label; }), datasets: [
        { data: rows.map(function (r) { return r.nilai; }), backgroundColor: colors }] },
      options: { responsive: true, maintainAspectRatio: false, onClick: links ? go(links) : undefined,
                 plugins: { legend: { position: "right" }, tooltip: { callbacks: { label: function (c) { return c.label + ": " + rupiah(c.parsed); } } } } }
    });
  };
  pie("grafik-kategori", d.kategori, d.kategori.map(function (r) { return r.tautan; }));
  pie("grafik-umkm", d.umkm, null);
  draw("grafik-bintang", {
    type: "bar",
    data: { labels: d.label.bintang, datasets: d.bintang.map(function (r, i) {
      return { label: r.label, data: r.nilai, backgroundColor: colors[i % colors.length] }; }) },
    options: { responsive: true, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }
  });
  draw("grafik-tahap", {
    type: "bar",
    data: { labels: d.tahap.map(function (r) { return r.label; }), datasets: [
      { label: d.label.median, data: d.tahap.map(function (r) { return r.median; }), backgroundColor: colors[0] },
      { label: d.label.p90, data: d.tahap.map(function (r) { return r.p90; }), backgroundColor: colors[1] }] },
    options: { responsive: true, maintainAspectRatio: false, indexAxis: "y" }
  });
})();
