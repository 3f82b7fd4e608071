// ReDoc for /redoc (api/docs.py): the schema from this origin; the style nonce of this response (the CSP
// allows ReDoc's own <style> elements only with it).
"use strict";
(function () {
  var el = document.getElementById("redoc");
  Redoc.init(el.dataset.openapiUrl, { nonce: el.dataset.nonce }, el);
})();
