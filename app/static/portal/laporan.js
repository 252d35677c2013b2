// "Laporan Saya": poll each unfinished job and move its progress bar; offer the download when it is done.
(function () {
  var script = document.getElementById("laporan-js");
  var label = script.getAttribute("data-unduh"), ready = script.getAttribute("data-selesai");
  function poll(row) {
    fetch(row.getAttribute("data-pantau"), { headers: { Accept: "application/json" }, credentials: "same-origin", redirect: "manual" })
      .then(function (r) { return r.type === "opaqueredirect" ? { status: "selesai", progres: 100 } : r.json(); })
      .then(function (d) {
        var bar = row.querySelector(".progress-bar");
        bar.style.width = d.progres + "%";
        bar.textContent = d.progres + "%";
        bar.setAttribute("aria-valuenow", d.progres);
        if (d.status_label) row.querySelector(".laporan-keadaan").textContent = d.status_label + (d.baris ? " · " + d.baris : "");
        row.setAttribute("data-status", d.status);
        if (d.status === "selesai") {
          bar.className = "progress-bar progress-bar-success";
          if (!d.status_label) row.querySelector(".laporan-keadaan").textContent = ready;
          var a = document.createElement("a");
          a.className = "btn btn-success btn-sm";
          a.href = d.berkas || row.getAttribute("data-pantau").replace("/tugas/", "/berkas/").split("?")[0];
          a.textContent = label;
          row.querySelector(".laporan-aksi").appendChild(a);
        } else if (d.status === "gagal") {
          bar.className = "progress-bar progress-bar-danger";
        } else {
          setTimeout(function () { poll(row); }, 1500);
        }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 5000); });
  }
  document.querySelectorAll("tr[data-laporan]").forEach(function (row) {
    var s = row.getAttribute("data-status");
    if (s === "antre" || s === "berjalan") poll(row);
  });
})();
