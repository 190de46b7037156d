/* The SPARQL editor page (templates/sparql.html): YASGUI on this endpoint, one tab per example query.
   A file of its own rather than an inline <script>, so the Content-Security-Policy allows
   scripts from this site only. The page gives the endpoint and the examples' address as
   data- attributes of the #yasgui element. */
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  var endpoint = element.dataset.endpoint;
  // Completion from what the editor itself knows (prefixes, the query's variables) only:
  // YASQE's "property" and "class" completers send what is typed to a third-party service
  // (LOV), which the page's Content-Security-Policy does not allow, nor should it. Set on
  // the defaults, since a tab's own list is merged with them rather than replacing them.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  fetch(element.dataset.examples, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (examples) {
      // No persistence: every visit starts from the examples, on this endpoint only.
      var yasgui = new Yasgui(element, {
        requestConfig: { endpoint: endpoint, method: "POST" },
        copyEndpointOnNewTab: false,
        endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
        persistenceId: null,
        yasqe: { value: examples.length ? examples[0].query : "" }
      });
      if (examples.length) {
        yasgui.getTab().setName(examples[0].title);
      }
      examples.slice(1).forEach(function (example) {
        yasgui.addTab(false, {
          name: example.title,
          yasqe: { value: example.query },
          requestConfig: { endpoint: endpoint }
        });
      });
      window.eulodYasgui = yasgui;
    });
})();
