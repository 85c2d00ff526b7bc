// The bench is a repository tool, not a shipped package: it reads the repository's samples and
// generators and writes the README's tables. This module lies at the top of src/ and of dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');
