/** Values global-setup.ts provides to test files. */
declare module "vitest" {
  export interface ProvidedContext {
    testPgAdminUrl: string;
    testPgTemplate: string;
  }
}

export {};
