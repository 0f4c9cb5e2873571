// Bring the cited passage into view and give it the focus, so keyboard and screen-reader
// users start reading where the citation points.
const passage = document.querySelector("[data-testid=passage]");
if (passage) {
  passage.scrollIntoView({ block: "center" });
  passage.focus({ preventScroll: true });
}
