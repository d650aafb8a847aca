// The public alert pages: "use my location" fills the form's lat/lon from the browser, with the person's consent
// (the browser asks). Nothing is sent anywhere until the form is submitted. No other script runs on these pages.
(function () {
  "use strict";
  document.querySelectorAll("button[data-locate]").forEach(function (button) {
    if (!("geolocation" in navigator)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var form = button.closest("form");
      var status = form.querySelector("[data-locate-status]");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[name=lat]").value = position.coords.latitude.toFixed(5);
          form.querySelector("[name=lon]").value = position.coords.longitude.toFixed(5);
          if (status) status.textContent = button.dataset.done;
        },
        function () {
          if (status) status.textContent = button.dataset.failed;
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
      );
    });
  });
})();
