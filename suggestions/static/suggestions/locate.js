// "Attach my location": only when the citizen taps it and the phone allows it.
// Without JavaScript or geolocation the button stays hidden and the form works as before.
(function () {
  var button = document.querySelector("[data-locate]");
  if (!button || !("geolocation" in navigator)) return;
  var row = button.closest(".locate");
  var status = row.querySelector(".locate-status");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  row.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.done;
      },
      function () {
        status.textContent = button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 }
    );
  });
})();
