// The participant app works offline for this week's schedule and the help page (portal-sw.js).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/me/sw.js", { scope: "/me/" }).catch(function () {});
}
