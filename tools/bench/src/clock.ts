export const seconds = (fromMs: number): number => (performance.now() - fromMs) / 1000;
