// What `a2f demo` animates: the sample character and dialogue, copied into the package's assets/
// by its build from the repository's samples/ (docs/architecture.md), so an installed CLI runs its
// demo with no repository around it. This module lies at the top of src/ and of dist/.
import { fileURLToPath } from 'node:url';

export const SAMPLE_CHARACTER = fileURLToPath(new URL('../assets/face.usda', import.meta.url));
export const SAMPLE_DIALOGUE = fileURLToPath(new URL('../assets/dialogue', import.meta.url));
