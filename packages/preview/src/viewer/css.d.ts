// CSS imports are bundled by esbuild (build-viewer.mjs) into assets/viewer.css; they export nothing.
declare module '*.css';
