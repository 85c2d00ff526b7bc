export { main } from './cli.js';
export { expandAudioArgs } from './inputs.js';
