export * from './time.js';
export * from './names.js';
export * from './quat.js';
export * from './face-animation.js';
export * from './binding.js';
export * from './filters.js';
export * from './export.js';
export * from './controls.js';
