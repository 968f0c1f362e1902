// Demo host page: shows that a page can react to the element's plan-change
// event. Loaded as a file (no inline script) so the page's CSP stays strict.
(function () {
  var note = document.getElementById('host-note');
  document.addEventListener('plan-change', function (e) {
    var plan = e.detail;
    if (!plan) {
      note.textContent = 'The host page listens for plan-change events: no valid plan right now.';
      return;
    }
    var first = plan.levels && plan.levels[0];
    var rate = first && first.text ? first.text.mlPerHour : '';
    note.textContent = 'The host page received plan-change: ' + plan.protocol.name + ', ' + rate +
      (plan.confirmed ? ', confirmed.' : ', not confirmed yet.');
  });
})();
