// The docs' home plays the first day's cast (docs/pictures/first-day.cast, made by scripts/pictures) with
// asciinema-player 3.17.0 (Apache-2.0, docs/assets/asciinema-player/: the npm package's dist/bundle/ files,
// unchanged, and its LICENSE).
document.querySelectorAll("[data-cast]").forEach(function (element) {
  AsciinemaPlayer.create(element.dataset.cast, element, { cols: 100, rows: 30, idleTimeLimit: 2, fit: "width" });
});
