// Placeholder until the viewer lands: the page's script (bundled by build-viewer.mjs).
document.body.textContent = 'a2f preview: viewer not built yet';
