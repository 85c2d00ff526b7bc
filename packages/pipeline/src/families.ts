// The model families a job can load. Importing a family registers its post-processing kind and pack
// format with @a2f/inference (docs/architecture.md#model-families); a new family is one more line here.
import '@a2f/default-model';
import '@a2f/nvidia';
