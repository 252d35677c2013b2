/* The portal's own behaviour on every page (no third-party code beyond FAB's jQuery/Bootstrap 3):
   1. a confirmation dialog before an irreversible step: any submit button or form with
      data-konfirmasi="…" asks first (one Bootstrap modal, #konfirmasi-dialog, from portal_base.html);
   2. tabs (.tab-portal): the tab named by the URL's #hash (or holding the element it names) opens;
   3. the "Produk masuk ke keranjang" choice opens as a dialog when present. */
(function () {
  'use strict';
  var dialog = document.getElementById('konfirmasi-dialog');
  var pending = null;  // {form, submitter} waiting for the answer

  function ask(form, submitter, text) {
    if (!dialog || !window.jQuery) { return window.confirm(text); }
    pending = {form: form, submitter: submitter};
    dialog.querySelector('#konfirmasi-teks').textContent = text;
    var yes = dialog.querySelector('#konfirmasi-ya');
    yes.className = 'btn ' + (submitter && /btn-danger/.test(submitter.className) ? 'btn-danger' : 'btn-primary');
    yes.textContent = (submitter && submitter.textContent.trim()) || yes.getAttribute('data-default');
    window.jQuery(dialog).modal('show');
    return false;
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target, submitter = ev.submitter || null;
    if (form.dataset.terkonfirmasi === '1') { delete form.dataset.terkonfirmasi; return; }
    var text = (submitter && submitter.getAttribute('data-konfirmasi')) || form.getAttribute('data-konfirmasi');
    if (!text) { return; }
    if (!ask(form, submitter, text)) { ev.preventDefault(); }
  }, true);

  if (dialog) {
    dialog.querySelector('#konfirmasi-ya').addEventListener('click', function () {
      if (!pending) { return; }
      var p = pending;
      pending = null;
      window.jQuery(dialog).modal('hide');
      p.form.dataset.terkonfirmasi = '1';
      if (p.form.requestSubmit) { p.form.requestSubmit(p.submitter || undefined); } else { p.form.submit(); }
    });
    window.jQuery && window.jQuery(dialog).on('hidden.bs.modal', function () { pending = null; });
  }

  function openTab(link) {
    if (link && window.jQuery) { window.jQuery(link).tab('show'); }
  }

  function tabForHash() {
    var id = decodeURIComponent((location.hash || '').slice(1));
    if (!id) { return; }
    var link = document.querySelector('.tab-portal a[href="#' + CSS.escape(id) + '"]');
    if (!link) {
      var el = document.getElementById(id), pane = el && el.closest('.tab-pane');
      link = pane && document.querySelector('.tab-portal a[href="#' + CSS.escape(pane.id) + '"]');
    }
    openTab(link);
  }

  document.addEventListener('DOMContentLoaded', function () {
    tabForHash();
    var masuk = document.getElementById('modal-masuk-keranjang');
    if (masuk && window.jQuery) { window.jQuery(masuk).modal('show'); }
  });
  window.addEventListener('hashchange', tabForHash);
  // the tab a person opens is kept in the address, so reloading or going back returns to it
  if (window.jQuery) {
    window.jQuery(document).on('shown.bs.tab', '.tab-portal a', function (e) {
      if (history.replaceState) { history.replaceState(null, '', e.target.getAttribute('href')); }
    });
  }
})();
