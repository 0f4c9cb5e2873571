// The upload page's drop zone: files and ZIP archives dropped on it join those chosen with
// the file input, which stays the plain fallback (without this script, or without a mouse).

const zone = document.querySelector("[data-dropzone]");
const input = zone?.querySelector("input[type=file]");
const chosen = document.getElementById("files-chosen");
const strings = JSON.parse(document.getElementById("upload-strings")?.textContent ?? "{}");

function carriesFiles(event) {
  return Array.from(event.dataTransfer?.types ?? []).includes("Files");
}

function showChosen() {
  const items = Array.from(input.files, (file) => {
    const item = document.createElement("li");
    item.textContent = file.name;
    item.className = "truncate font-mono";
    return item;
  });
  if (items.length > 0 && strings.chosen) {
    const summary = document.createElement("li");
    summary.textContent = strings.chosen.replace("{count}", String(items.length));
    summary.className = "font-medium";
    items.unshift(summary);
  }
  chosen.replaceChildren(...items);
}

function addFiles(files) {
  const transfer = new DataTransfer();
  for (const file of [...input.files, ...files]) transfer.items.add(file);
  input.files = transfer.files;
  showChosen();
}

if (zone && input && chosen) {
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      zone.dataset.dragging = "";
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) delete zone.dataset.dragging;
  });
  zone.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    delete zone.dataset.dragging;
    addFiles(event.dataTransfer.files);
  });
  input.addEventListener("change", showChosen);
  // A file dropped beside the zone must not replace the page with the file.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (carriesFiles(event) && !zone.contains(event.target)) event.preventDefault();
    });
  }
}
