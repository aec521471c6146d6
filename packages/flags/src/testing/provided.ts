/** Values the Unleash global setup provides to test files. */
declare module "vitest" {
  export interface ProvidedContext {
    testUnleashUrl: string;
  }
}

export {};
