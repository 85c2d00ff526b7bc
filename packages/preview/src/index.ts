export { PreviewError, type PreviewErrorCode } from './errors.js';
export { CHROMIUM_ARGS, findChromium, launchChromium } from './browser.js';
export type { PreviewApi, PreviewCurves, PreviewInfo, PreviewState, PreviewView, PixelRect } from './page-api.js';
export { readBlob, type PreviewBlob, type PreviewHeader, type PreviewMesh } from './data.js';
export { PreviewRig, type PosedMesh } from './rig.js';
export { buildPreview, previewPath, writePreview, type PreviewOptions, type PreviewResult } from './page.js';
export { PLAYBLAST_DEFAULTS, playblast, type PlayblastOptions, type PlayblastResult } from './playblast.js';
export { startReviewServer, REVIEW_DEFAULTS, type ReviewServer, type ReviewServerOptions } from './serve.js';
export type { LineStatus, ReviewLine } from './review-lines.js';
